import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {route, startBackend, startHarness, type Backend, type Harness} from '../../helpers/harness.js';
import {fetchRaw, type RawReply} from '../../helpers/raw.js';

let h: Harness;
let b: Backend;
/** `METHOD host` of every request the backend got. */
const seen: string[] = [];

beforeAll(async () => {
  // The backend knows nothing of CORS: every Access-Control-* header a client sees, portico added.
  b = await startBackend('b', (req, res) => {
    seen.push(`${req.method} ${String(req.headers.host).split(':')[0]}`);
    res.writeHead(200, {'content-type': 'application/json', 'x-total': '1'}).end('{}');
  });
  h = await startHarness([
    {...route('bare.localhost', [b.port]), options: {cors: {origins: ['self']}}},
    {...route('star.localhost', [b.port]), options: {cors: {origins: ['*']}}},
    {...route('listed.localhost', [b.port]), options: {cors: {origins: ['https://ui.example.com']}}},
    {...route('pna.localhost', [b.port]), options: {cors: {origins: ['self', 'private-network']}}},
  ]);
});
afterAll(async () => {
  await h?.close();
  await b?.close();
});

/** A request as a browser sends it: the Host names the port portico serves on. */
function ask(host: string, origin: string, options: {h2?: boolean; preflight?: boolean; privateNetwork?: boolean} = {}): Promise<RawReply> {
  const authority = `${host}:${h.proxy.port}`;
  const headers: Record<string, string> = {origin, ...(options.h2 ? {':authority': authority} : {host: authority})};
  if (options.preflight) {
    headers['access-control-request-method'] = 'PUT';
    headers['access-control-request-headers'] = 'x-token';
  }
  if (options.privateNetwork) headers['access-control-request-private-network'] = 'true';
  return fetchRaw(h, host, '/items', {h2: options.h2, method: options.preflight ? 'OPTIONS' : 'GET', headers});
}

const corsHeaders = (reply: RawReply) => Object.fromEntries(Object.entries(reply.headers).filter(([name]) => name.startsWith('access-control-')));

describe('CORS through portico', () => {
  for (const h2 of [false, true]) {
    const over = h2 ? 'over HTTP/2' : 'over HTTP/1.1';
    it(`with bare --cors, a page of this portico (another *.localhost on its port) gets its origin back with credentials ${over}`, async () => {
      const own = `https://app.localhost:${h.proxy.port}`;
      const reply = await ask('bare.localhost', own, {h2});
      expect(corsHeaders(reply)).toMatchObject({'access-control-allow-origin': own, 'access-control-allow-credentials': 'true'});
      const preflight = await ask('bare.localhost', own, {h2, preflight: true});
      expect(preflight.status).toBe(204);
      expect(corsHeaders(preflight)).toMatchObject({
        'access-control-allow-origin': own,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'PUT',
        'access-control-allow-headers': 'x-token',
      });
    });

    it(`with bare --cors, a foreign origin gets no CORS headers at all, and its preflight goes to the backend ${over}`, async () => {
      for (const origin of ['https://evil.example', `http://app.localhost:${h.proxy.port}`, 'https://app.localhost:1', 'null']) {
        expect(corsHeaders(await ask('bare.localhost', origin, {h2}))).toEqual({});
      }
      seen.length = 0;
      const preflight = await ask('bare.localhost', 'https://evil.example', {h2, preflight: true});
      expect(corsHeaders(preflight)).toEqual({});
      expect(seen).toEqual(['OPTIONS bare.localhost']);
    });
  }

  it('with --cors=*, any origin may read, but never with credentials and never by its own name', async () => {
    for (const preflight of [false, true]) {
      const reply = await ask('star.localhost', 'https://evil.example', {preflight});
      expect(reply.headers['access-control-allow-origin']).toBe('*');
      expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('a listed origin gets credentials; another does not', async () => {
    expect(corsHeaders(await ask('listed.localhost', 'https://ui.example.com'))).toMatchObject({
      'access-control-allow-origin': 'https://ui.example.com',
      'access-control-allow-credentials': 'true',
    });
    expect(corsHeaders(await ask('listed.localhost', `https://app.localhost:${h.proxy.port}`))).toEqual({});
  });

  it('answers a Private Network Access preflight only on a route whose list says private-network', async () => {
    const own = `https://app.localhost:${h.proxy.port}`;
    const plain = await ask('bare.localhost', own, {preflight: true, privateNetwork: true});
    expect(plain.status).toBe(204);
    expect(plain.headers['access-control-allow-private-network']).toBeUndefined();
    const asked = await ask('pna.localhost', own, {preflight: true, privateNetwork: true});
    expect(asked.headers['access-control-allow-private-network']).toBe('true');
  });
});
