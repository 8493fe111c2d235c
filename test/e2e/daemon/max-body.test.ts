import {readFileSync} from 'node:fs';
import type http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, daemonPort, expectNoStack, tempHome} from '../../helpers/cli.js';
import {startBackend, type Backend} from '../../helpers/harness.js';
import {gate} from '../../helpers/wait.js';

let t: ReturnType<typeof tempHome>;
let b: Backend;
let port: number;
let ca: Buffer;
/** What the backend saw of each request: bytes received, and whether the body ended. */
const seen: Array<{bytes: number; ended: boolean; closed: ReturnType<typeof gate>}> = [];
/** Opens when the backend has received the first bytes of a body. */
let firstBytes = gate();

beforeAll(async () => {
  t = tempHome();
  b = await startBackend('echo', (req, res) => {
    const record = {bytes: 0, ended: false, closed: gate()};
    req.on('close', record.closed.open);
    seen.push(record);
    req.on('data', (chunk: Buffer) => {
      record.bytes += chunk.length;
      firstBytes.open();
    });
    req.on('end', () => {
      record.ended = true;
      res.end(`got ${record.bytes}`);
    });
    req.on('error', () => {});
  });
  expect((await cli(['add', 'small.localhost', String(b.port), '--max-body', '4KB'], {env: t.env})).code).toBe(0);
  port = await daemonPort(t.env);
  ca = readFileSync(path.join(t.home, 'ca.pem'));
});
afterAll(async () => {
  await b?.close();
  await t.cleanup();
});

type Outcome = {status: number; body: string} | {error: string};

/** HTTP/1.1 POST; `chunks` are written one by one, the next once `between` resolves. */
function post1(headers: http.OutgoingHttpHeaders, chunks: Buffer[], between?: () => Promise<void>): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/upload',
        method: 'POST',
        servername: 'small.localhost',
        ca,
        agent: false,
        headers: {host: 'small.localhost', ...headers},
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({status: res.statusCode ?? 0, body}));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({error: e.code ?? e.message}));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({error: e.code ?? e.message}));
    void (async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && between) await between();
        if (!req.destroyed) req.write(chunk);
      }
      if (!req.destroyed) req.end();
    })();
  });
}

/** HTTP/2 POST, the same way. */
function post2(headers: http2.OutgoingHttpHeaders, chunks: Buffer[], between?: () => Promise<void>): Promise<Outcome> {
  return new Promise((resolve) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, {ca, servername: 'small.localhost'});
    session.on('error', () => {});
    const stream = session.request({':method': 'POST', ':path': '/upload', ':authority': 'small.localhost', ...headers});
    let status = 0;
    let body = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (d: Buffer) => (body += d));
    stream.on('end', () => {
      session.close();
      resolve({status, body});
    });
    stream.on('error', (e: NodeJS.ErrnoException) => {
      session.destroy();
      resolve({error: e.code ?? e.message});
    });
    void (async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && between) await between();
        if (!stream.destroyed) stream.write(chunk);
      }
      if (!stream.destroyed) stream.end();
    })();
  });
}

const kb = (n: number) => Buffer.alloc(n * 1024, 'x');

describe('--max-body through the daemon', () => {
  it('shows the limit in ls and refuses a bad size naming the flag and the value', async () => {
    const ls = await cli(['ls'], {env: t.env});
    expect(ls.stdout).toContain('max-body 4KB');
    const bad = await cli(['add', 'small.localhost', String(b.port), '--max-body', 'huge'], {env: t.env});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid --max-body `huge`');
    expectNoStack(bad);
  });

  it('passes a body within the limit to the backend, over HTTP/1.1 and HTTP/2', async () => {
    expect(await post1({'content-length': 4096}, [kb(4)])).toEqual({status: 200, body: 'got 4096'});
    expect(await post2({}, [kb(2), kb(2)])).toEqual({status: 200, body: 'got 4096'});
  });

  it('answers 413 to a declared Content-Length over the limit without asking the backend, over HTTP/1.1 and HTTP/2', async () => {
    const before = b.hits;
    const h1 = await post1({'content-length': 8192}, [kb(8)]);
    expect(h1).toMatchObject({status: 413});
    expect('body' in h1 && h1.body).toContain('--max-body');
    const h2 = await post2({'content-length': 8192}, [kb(8)]);
    expect(h2).toMatchObject({status: 413});
    expect(b.hits).toBe(before);
  });

  for (const [protocol, post] of [
    ['HTTP/1.1', post1],
    ['HTTP/2', post2],
  ] as const) {
    it(`resets a body without a length once it grows past the limit, and the backend never gets its end, over ${protocol}`, async () => {
      firstBytes = gate();
      const count = seen.length;
      // 3 KB first; once the backend has it (forwarding has started), 3 KB more crosses the 4 KB limit.
      const result = await post(post === post1 ? {'transfer-encoding': 'chunked'} : {}, [kb(3), kb(3)], () => firstBytes.promise);
      expect(result).toHaveProperty('error');
      expect(seen.length).toBe(count + 1);
      // portico cancelled the backend request: it closes without its body ever ending.
      await seen[count]!.closed.promise;
      expect(seen[count]!.ended).toBe(false);
    });
  }
});
