import {Readable} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {cacheFeature} from '../../../src/frontdoor/cache.js';
import {CacheRegistry} from '../../../src/frontdoor/cache-registry.js';
import {CacheStore} from '../../../src/frontdoor/cache-store.js';
import type {ExchangeResponse} from '../../../src/pipeline/exchange.js';
import {backendResponse, fakeEntry, fakeExchange, runThrough, type FakeExchange} from '../../helpers/exchange.js';

function setup(maxBytes = 1024 * 1024) {
  const registry = new CacheRegistry();
  const feature = cacheFeature({registry, collapseMs: 2000});
  const entry = fakeEntry({cache: {maxBytes}});
  let calls = 0;
  const seen: FakeExchange[] = [];
  const get = (backend: (ex: FakeExchange) => ExchangeResponse, init: Parameters<typeof fakeExchange>[0] = {}) =>
    runThrough(feature, entry, fakeExchange({url: '/data', ...init, entry}), (ex) => {
      calls++;
      seen.push(ex);
      return backend(ex);
    });
  return {registry, feature, entry, get, calls: () => calls, seen};
}

const fresh = () => backendResponse(200, {'content-type': 'application/json', 'cache-control': 'max-age=60', etag: '"v1"'}, '{"n":1}');

describe('cache', () => {
  it('serves the second request from the cache with Cache-Status hit', async () => {
    const t = setup();
    const first = await t.get(fresh);
    expect(first.response.headers['cache-status']).toBe('portico; fwd=miss; stored');
    const second = await t.get(fresh);
    expect(second.backendCalled).toBe(false);
    expect(second.response.headers['cache-status']).toMatch(/^portico; hit; ttl=\d+$/);
    expect(second.body.toString()).toBe('{"n":1}');
    expect(second.response.headers.age).toBeDefined();
    expect(t.calls()).toBe(1);
  });

  it('never stores no-store, private, Set-Cookie or responses to Authorization requests', async () => {
    const cases: Array<[Record<string, string>, Record<string, string>]> = [
      [{'cache-control': 'no-store'}, {}],
      [{'cache-control': 'private, max-age=60'}, {}],
      [{'cache-control': 'max-age=60', 'set-cookie': 'sid=1'}, {}],
      [{'cache-control': 'max-age=60'}, {authorization: 'Bearer x'}],
    ];
    for (const [headers, requestHeaders] of cases) {
      const t = setup();
      await t.get(() => backendResponse(200, headers, 'x'), {headers: requestHeaders});
      const again = await t.get(() => backendResponse(200, headers, 'x'), {headers: requestHeaders});
      expect(again.backendCalled, JSON.stringify(headers)).toBe(true);
      expect(again.response.headers['cache-status']).toBe('portico; fwd=miss');
    }
  });

  it('stores a response to an Authorization request when the response says public', async () => {
    const t = setup();
    const headers = {authorization: 'Bearer x'};
    await t.get(() => backendResponse(200, {'cache-control': 'public, max-age=60'}, 'x'), {headers});
    expect((await t.get(fresh, {headers})).backendCalled).toBe(false);
  });

  it('keeps a separate entry per Vary value', async () => {
    const t = setup();
    const byLang = (ex: FakeExchange) =>
      backendResponse(200, {'cache-control': 'max-age=60', vary: 'Accept-Language'}, `hello ${String(ex.requestHeaders['accept-language'])}`);
    await t.get(byLang, {headers: {'accept-language': 'en'}});
    await t.get(byLang, {headers: {'accept-language': 'fr'}});
    const en = await t.get(byLang, {headers: {'accept-language': 'en'}});
    const fr = await t.get(byLang, {headers: {'accept-language': 'fr'}});
    expect([en.body.toString(), fr.body.toString()]).toEqual(['hello en', 'hello fr']);
    expect(en.backendCalled || fr.backendCalled).toBe(false);
    expect(t.calls()).toBe(2);
  });

  it('revalidates a stale response with its ETag and serves the stored body on a 304', async () => {
    const t = setup();
    await t.get(() => backendResponse(200, {'cache-control': 'no-cache', etag: '"v1"'}, 'stored body'));
    const second = await t.get((ex) => {
      expect(ex.requestHeaders['if-none-match']).toBe('"v1"');
      return backendResponse(304, {etag: '"v1"', 'cache-control': 'no-cache'});
    });
    expect(second.response.status).toBe(200);
    expect(second.body.toString()).toBe('stored body');
    expect(second.response.headers['cache-status']).toBe('portico; fwd=stale; fwd-status=304; stored');
  });

  it('revalidates with If-Modified-Since when the response had only Last-Modified', async () => {
    const t = setup();
    const lastModified = new Date(Date.now() - 3600_000).toUTCString();
    await t.get(() => backendResponse(200, {'cache-control': 'max-age=0', 'last-modified': lastModified}, 'old'));
    const second = await t.get((ex) => {
      expect(ex.requestHeaders['if-modified-since']).toBe(lastModified);
      return backendResponse(200, {'cache-control': 'max-age=0', 'last-modified': new Date().toUTCString()}, 'new');
    });
    expect(second.body.toString()).toBe('new');
    expect(second.response.headers['cache-status']).toBe('portico; fwd=stale; fwd-status=200; stored');
  });

  it('answers 304 to a client whose validator matches the stored response', async () => {
    const t = setup();
    await t.get(fresh);
    const conditional = await t.get(fresh, {headers: {'if-none-match': 'W/"v1"'}});
    expect(conditional.backendCalled).toBe(false);
    expect(conditional.response.status).toBe(304);
    expect(conditional.body.length).toBe(0);
    expect(conditional.response.headers.etag).toBe('"v1"');
  });

  it('sends 50 concurrent misses for the same URL to the backend once', async () => {
    const t = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The body arrives only once every request is waiting.
    const slow = (): ExchangeResponse => ({
      status: 200,
      headers: {'cache-control': 'max-age=60'},
      body: Readable.from(
        (async function* () {
          await gate;
          yield Buffer.from('once');
        })(),
      ),
      source: 'backend',
    });
    const all = Array.from({length: 50}, () => t.get(slow));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const results = await Promise.all(all);
    expect(t.calls()).toBe(1);
    expect(results.every((r) => r.body.toString() === 'once')).toBe(true);
    expect(results.filter((r) => r.response.headers['cache-status'] === 'portico; fwd=miss; collapsed')).toHaveLength(49);
  });

  it('drops what is stored for a URL after a successful POST to it', async () => {
    const t = setup();
    await t.get(fresh);
    await t.get(() => backendResponse(201, {}, ''), {method: 'POST'});
    expect((await t.get(fresh)).backendCalled).toBe(true);
  });

  it('clears one route or all through the registry', async () => {
    const t = setup();
    await t.get(fresh);
    expect(t.registry.clear('api.localhost')).toEqual([{route: 'api.localhost', responses: 1, bytes: expect.any(Number)}]);
    expect((await t.get(fresh)).backendCalled).toBe(true);
  });
});

describe('cache store', () => {
  const policy = {} as never;
  it('evicts the least recently used response when over its byte bound', () => {
    const store = new CacheStore(8 * 1000);
    const put = (key: string) => store.put(key, {policy, status: 200, body: Buffer.alloc(0), size: 900, variant: ''});
    for (let i = 0; i < 8; i++) put(`k${i}`);
    store.variants('k0'); // k0 is now the most recently used
    put('k8');
    put('k9');
    expect(store.variants('k0')).toHaveLength(1);
    expect(store.variants('k1')).toHaveLength(0);
    expect(store.bytes).toBeLessThanOrEqual(8000);
  });

  it('refuses a response bigger than an eighth of the bound', () => {
    const store = new CacheStore(8000);
    store.put('big', {policy, status: 200, body: Buffer.alloc(0), size: 1001, variant: ''});
    expect(store.count).toBe(0);
  });
});
