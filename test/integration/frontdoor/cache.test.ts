import {afterEach, describe, expect, it} from 'vitest';
import type http from 'node:http';
import type {RouteOptions} from '../../../src/routes/types.js';
import {route, startBackend, startHarness, type Backend, type Harness} from '../../helpers/harness.js';
import {fetchRaw} from '../../helpers/raw.js';
import {waitFor} from '../../helpers/wait.js';

let h: Harness | undefined;
let b: Backend | undefined;
afterEach(async () => {
  await h?.close();
  await b?.close();
  h = b = undefined;
});

let host = 0;
/** A fresh host per test: the daemon-wide cache registry is keyed by route. */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void, options: RouteOptions = {cache: {maxBytes: 1024 * 1024}}) {
  b = await startBackend('b', handler);
  const name = `cache${++host}.localhost`;
  h = await startHarness([{...route(name, [b.port]), options}]);
  return (path: string, headers: http.OutgoingHttpHeaders = {}, h2 = false) => fetchRaw(h!, name, path, {headers, h2});
}

describe('caching through portico', () => {
  it('answers the second request from the cache, saying so in Cache-Status, over HTTP/1.1 and HTTP/2', async () => {
    const get = await serve((_req, res) => res.writeHead(200, {'content-type': 'text/plain', 'cache-control': 'max-age=60'}).end('cached body'));
    const first = await get('/page');
    expect(first.headers['cache-status']).toBe('portico; fwd=miss; stored');
    const second = await get('/page');
    expect(second.headers['cache-status']).toMatch(/^portico; hit; ttl=\d+$/);
    expect(second.body.toString()).toBe('cached body');
    const third = await get('/page', {}, true);
    expect(third.headers['cache-status']).toMatch(/^portico; hit/);
    expect(third.body.toString()).toBe('cached body');
    expect(b!.hits).toBe(1);
  });

  it('never caches a no-store response', async () => {
    const get = await serve((_req, res) => res.writeHead(200, {'cache-control': 'no-store'}).end('fresh'));
    await get('/x');
    const second = await get('/x');
    expect(second.headers['cache-status']).toBe('portico; fwd=miss');
    expect(b!.hits).toBe(2);
  });

  it('keeps a separate entry for each value of a Vary header', async () => {
    const get = await serve((req, res) =>
      res.writeHead(200, {'cache-control': 'max-age=60', vary: 'Accept-Language'}).end(`hello ${req.headers['accept-language']}`),
    );
    await get('/v', {'accept-language': 'en'});
    await get('/v', {'accept-language': 'de'});
    const en = await get('/v', {'accept-language': 'en'});
    const de = await get('/v', {'accept-language': 'de'});
    expect([en.body.toString(), de.body.toString()]).toEqual(['hello en', 'hello de']);
    expect(en.headers['cache-status']).toMatch(/hit/);
    expect(b!.hits).toBe(2);
  });

  it('revalidates with the stored ETag and serves the stored body when the backend says 304', async () => {
    const seen: Array<string | undefined> = [];
    const get = await serve((req, res) => {
      seen.push(req.headers['if-none-match']);
      // If-None-Match is a list (portico adds its stored tag to the client's own).
      if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === '"v1"'))
        return res.writeHead(304, {etag: '"v1"', 'cache-control': 'no-cache'}).end();
      res.writeHead(200, {'content-type': 'text/plain', etag: '"v1"', 'cache-control': 'no-cache'}).end('version one');
    });
    await get('/r');
    const second = await get('/r');
    expect(seen).toEqual([undefined, '"v1"']);
    expect(second.status).toBe(200);
    expect(second.body.toString()).toBe('version one');
    expect(second.headers['cache-status']).toBe('portico; fwd=stale; fwd-status=304; stored');
    const conditional = await get('/r', {'if-none-match': '"v1"'});
    expect(conditional.status, JSON.stringify(conditional.headers)).toBe(304);
  });

  it('sends 50 concurrent misses for the same URL to the backend once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const get = await serve((_req, res) => void gate.then(() => res.writeHead(200, {'cache-control': 'max-age=60'}).end('one answer')));
    const all = Array.from({length: 50}, () => get('/hot'));
    // Hold the backend's answer until the first request reached it; the other 49 wait on it in portico.
    await waitFor(() => b!.hits > 0, {what: 'the first miss to reach the backend'});
    release();
    const replies = await Promise.all(all);
    expect(replies.every((r) => r.status === 200 && r.body.toString() === 'one answer')).toBe(true);
    expect(b!.hits).toBe(1);
  });
});
