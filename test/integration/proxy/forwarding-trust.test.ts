import {describe, expect, it} from 'vitest';
import {proxyKit, request, route} from '../../helpers/harness.js';

/** What a client says about earlier hops, or a Host with another port, never steers the backend or the cache. */
const kit = proxyKit();

const FORGED = {
  forwarded: 'for=10.0.0.9;host=evil.example;proto=http',
  'x-forwarded-for': '10.0.0.9',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'http',
  'x-forwarded-port': '80',
  'x-forwarded-prefix': '/evil',
  'x-original-url': '/admin',
  'x-rewrite-url': '/admin',
};

describe('forwarding headers', () => {
  it("replaces or removes a client's Forwarded, X-Forwarded-*, X-Original-URL and X-Rewrite-URL", async () => {
    const b = await kit.backend((req, res) => res.end(JSON.stringify(req.headers)));
    const h = await kit.start([route('app.localhost', [b.port])]);
    const seen = JSON.parse((await request(h, 'app.localhost', '/', {headers: FORGED})).body) as Record<string, string>;
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-host']).toBe(`app.localhost:${h.proxy.port}`);
    expect(seen['x-forwarded-proto']).toBe('https');
    expect(seen['x-forwarded-port']).toBe(String(h.proxy.port));
    for (const name of ['forwarded', 'x-forwarded-prefix', 'x-original-url', 'x-rewrite-url']) expect(seen[name], name).toBeUndefined();
  });

  it('sends the backend the authority it routed on, not a port the client wrote into Host, so the cache serves no poisoned answer', async () => {
    const b = await kit.backend((req, res) => {
      res.setHeader('cache-control', 'max-age=300');
      res.end(`links to https://${req.headers.host}/next`);
    });
    const h = await kit.start([{...route('app.localhost', [b.port]), options: {cache: {maxBytes: 1024 * 1024}}}]);
    const steered = await request(h, 'app.localhost:9999', '/page', {headers: FORGED});
    expect(steered.body).toBe(`links to https://app.localhost:${h.proxy.port}/next`);
    const next = await request(h, `app.localhost:${h.proxy.port}`, '/page');
    expect(next.headers['cache-status']).toMatch(/^portico; hit/);
    expect(next.body).toBe(`links to https://app.localhost:${h.proxy.port}/next`);
  });
});
