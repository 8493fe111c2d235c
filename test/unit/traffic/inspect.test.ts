import {brotliCompressSync, gzipSync} from 'node:zlib';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {viewBody} from '../../../src/traffic/body.js';
import {BodyRecorder, CaptureStore, SLAB_BYTES, type CapturedBody, type ExchangeCapture, type KeptCapture} from '../../../src/traffic/capture.js';
import {curlCommand} from '../../../src/traffic/curl.js';
import type {RequestEvent} from '../../../src/traffic/event.js';
import {FilterError, matchFilter, parseFilter} from '../../../src/traffic/filter.js';
import {buildHar} from '../../../src/traffic/har.js';
import {harValidator} from '../../helpers/har.js';

/** A body as the daemon keeps it (bytes). */
function keptBody(bytes: Buffer | string, limit?: number) {
  const r = new BodyRecorder(limit);
  r.add(Buffer.from(bytes));
  return r.finish();
}

/** A body as a capture read from the daemon carries it (base64). */
function body(bytes: Buffer | string, limit?: number): CapturedBody {
  const store = new CaptureStore();
  store.add({...kept(capture()), responseBody: keptBody(bytes, limit)});
  return store.get(1)!.responseBody!;
}

/** A capture without bodies, as the store keeps it. */
const kept = (c: ExchangeCapture): KeptCapture => ({...c, requestBody: undefined, responseBody: undefined, websocket: undefined});

function capture(extra: Partial<ExchangeCapture> = {}): ExchangeCapture {
  return {
    id: 1,
    started: Date.UTC(2026, 11, 1, 20),
    method: 'GET',
    host: 'api.localhost',
    url: '/users?page=2',
    clientProtocol: 'h2',
    requestHeaders: {':authority': 'api.localhost:1443', accept: 'application/json'},
    status: 200,
    timing: {picked: 0, connected: 2, sent: 3, firstByte: 10, end: 12},
    attempts: [],
    notes: [],
    ...extra,
  };
}

let id = 0;
function event(extra: Partial<RequestEvent> = {}): RequestEvent {
  return {
    type: 'request',
    id: ++id,
    time: Date.now(),
    method: 'GET',
    host: 'api.localhost',
    path: '/',
    status: 200,
    duration: 5,
    bytes: 10,
    protocol: 'h1',
    ...extra,
  };
}

describe('the capture store', () => {
  it('keeps only the first 64 KiB of a body and counts the rest', () => {
    const r = new BodyRecorder();
    for (let i = 0; i < 100; i++) r.add(Buffer.alloc(1024, 'a'));
    const b = r.finish();
    expect(b.size).toBe(100 * 1024);
    expect(b.truncated).toBe(true);
    expect(Buffer.concat(b.chunks)).toHaveLength(64 * 1024);
  });

  it('refers to the chunks it records, but copies a small slice of a large buffer', () => {
    const r = new BodyRecorder();
    const whole = Buffer.alloc(16 * 1024, 'a');
    const read = Buffer.alloc(1024 * 1024, 'b');
    r.add(whole);
    r.add(read.subarray(100, 110));
    const {chunks} = r.finish();
    expect(chunks[0]).toBe(whole);
    expect(chunks[1]!.buffer.byteLength).toBeLessThan(16 * 1024);
    expect(Buffer.from(chunks[1]!).toString()).toBe('b'.repeat(10));
  });

  it('copies bodies into a slab and gives bodies and WebSocket messages out as base64', () => {
    const store = new CaptureStore();
    const message = {at: 3, from: 'backend' as const, size: 5, bytes: new Uint8Array(Buffer.from('\x81\x03hey'))};
    // A Uint8Array view into a larger buffer, as one arrives from a worker process.
    const shared = Buffer.from('xxhello worldyy');
    const view = new Uint8Array(shared.buffer, shared.byteOffset + 2, 11);
    store.add({
      ...kept(capture({id: 9})),
      responseBody: {size: 11, truncated: false, chunks: [view.subarray(0, 5), view.subarray(5)]},
      websocket: {messages: [message], dropped: 2},
    });
    const out = store.get(9)!;
    expect(out.responseBody).toEqual({size: 11, truncated: false, base64: Buffer.from('hello world').toString('base64')});
    expect(out.websocket).toEqual({messages: [{at: 3, from: 'backend', size: 5, base64: Buffer.from('\x81\x03hey').toString('base64')}], dropped: 2});
    expect(JSON.parse(JSON.stringify(store.all()))[0].responseBody.base64).toBe('aGVsbG8gd29ybGQ=');
  });

  it('evicts the oldest captures so memory stays bounded at any traffic', () => {
    const store = new CaptureStore({totalBytes: 1024 * 1024});
    for (let i = 1; i <= 2000; i++) store.add({...kept(capture({id: i})), responseBody: keptBody(Buffer.alloc(8 * 1024, 'x'))});
    expect(store.size).toBeLessThanOrEqual(1024 * 1024);
    expect(store.get(2000)).toBeDefined();
    expect(store.get(1)).toBeUndefined();
    expect(store.length).toBeLessThan(200);
  });

  it('keeps the newest by count, treats a capture stored again as new, and evicts in arrival order', () => {
    const store = new CaptureStore({count: 3});
    for (const id of [1, 2, 3]) store.add(kept(capture({id})));
    store.add(kept(capture({id: 1, status: 500}))); // stored again (a finished WebSocket): now the newest
    store.add(kept(capture({id: 4})));
    expect(store.all().map((c) => [c.id, c.status])).toEqual([
      [3, 200],
      [1, 500],
      [4, 200],
    ]);
    store.add(kept(capture({id: 5})));
    store.add(kept(capture({id: 6})));
    expect(store.all().map((c) => c.id)).toEqual([4, 5, 6]);
    const before = store.size;
    store.add(kept(capture({id: 6, status: 404})));
    expect(store.size).toBe(before);
    expect(store.get(6)?.status).toBe(404);
  });

  it('gives back exactly the bytes it kept, whatever sizes arrive and however often slabs are reused', () => {
    // Each body is filled with its own id's byte, split into chunks as a stream hands them over.
    const bodyOf = (id: number, length: number) => Buffer.alloc(length, id % 251);
    fc.assert(
      fc.property(
        fc.array(fc.record({request: fc.oneof(fc.constant(0), fc.nat(70_000)), response: fc.oneof(fc.constant(0), fc.nat(70_000)), again: fc.boolean()}), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({min: 132 * 1024, max: 3 * 1024 * 1024}), // room for one capture at least: the newest always fits
        (adds, totalBytes) => {
          const store = new CaptureStore({totalBytes, count: 20});
          const sizes = new Map<number, {request: number; response: number}>();
          adds.forEach((a, i) => {
            const id = a.again && i > 0 ? i : i + 1; // sometimes store an id again
            const recorded = (n: number) => {
              const r = new BodyRecorder();
              const bytes = bodyOf(id, n);
              for (let at = 0; at < n; at += 16_384) r.add(bytes.subarray(at, at + 16_384));
              return r.finish();
            };
            store.add({...kept(capture({id})), requestBody: recorded(a.request), responseBody: recorded(a.response)});
            sizes.set(id, {request: a.request, response: a.response});
          });
          expect(store.size).toBeLessThanOrEqual(totalBytes);
          expect(store.slabBytes).toBeLessThanOrEqual(Math.max(SLAB_BYTES, totalBytes));
          expect(store.length).toBeLessThanOrEqual(20);
          for (const c of store.all()) {
            const want = sizes.get(c.id)!;
            for (const [body, n] of [
              [c.requestBody, want.request],
              [c.responseBody, want.response],
            ] as const) {
              expect(body!.size).toBe(n);
              expect(Buffer.from(body!.base64, 'base64').equals(bodyOf(c.id, Math.min(n, 64 * 1024)))).toBe(true);
            }
          }
          // The newest always survives.
          const last = adds.length > 1 && adds.at(-1)!.again ? adds.length - 1 : adds.length;
          expect(store.get(last)).toBeDefined();
        },
      ),
      {numRuns: 200},
    );
  });

  it('holds memory for what it keeps: small bodies fill one slab, not the whole bound', () => {
    const store = new CaptureStore();
    for (let id = 1; id <= 20_000; id++) {
      const r = new BodyRecorder();
      r.add(Buffer.alloc(100, id % 251));
      store.add({...kept(capture({id})), responseBody: r.finish()});
    }
    expect(store.length).toBe(5000);
    expect(store.slabBytes).toBe(SLAB_BYTES); // 5000 bodies of 100 bytes: half a slab
    expect(Buffer.from(store.get(15_001)!.responseBody!.base64, 'base64').equals(Buffer.alloc(100, 15_001 % 251))).toBe(true);
  });

  it('stays bounded when the same captures are stored again and again', () => {
    const store = new CaptureStore({count: 10});
    for (let round = 0; round < 5000; round++) store.add(kept(capture({id: round % 5})));
    expect(store.length).toBe(5);
    // The eviction queue is compacted: its size is bounded by the store's, not by the adds.
    expect((store as unknown as {queue: unknown[]}).queue.length).toBeLessThanOrEqual(2 * 5 + 1024);
    store.clear();
    expect(store.length).toBe(0);
    expect(store.size).toBe(0);
  });
});

describe('bodies shown in the detail view', () => {
  it('pretty-prints a gzip-compressed JSON response', () => {
    const view = viewBody(body(gzipSync(JSON.stringify({user: {id: 7, name: 'Ada'}}))), {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'gzip',
    });
    expect(view.kind).toBe('json');
    expect(view.decoded).toBe('gzip');
    expect(view.text).toBe('{\n  "user": {\n    "id": 7,\n    "name": "Ada"\n  }\n}');
  });

  it('decodes brotli text, and decodes as much of a truncated gzip body as was captured', () => {
    expect(viewBody(body(brotliCompressSync('hello br')), {'content-type': 'text/plain', 'content-encoding': 'br'}).text).toBe('hello br');
    const long = Array.from({length: 20_000}, (_, i) => `line ${i} of text ${(i * 7919) % 100_003}`).join('\n');
    const cut = viewBody(body(gzipSync(long), 2000), {'content-type': 'text/plain', 'content-encoding': 'gzip'});
    expect(cut.truncated).toBe(true);
    expect(cut.kind).toBe('text');
    expect(cut.text.startsWith('line 0 of text 0\nline 1 of text 7919\n')).toBe(true);
  });

  it('summarises a binary body by type and size', () => {
    const view = viewBody(body(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3])), {'content-type': 'image/png'});
    expect(view.kind).toBe('binary');
    expect(view.text).toBe('image/png, 10 B');
  });
});

describe('structured filters', () => {
  const events = [
    event({path: '/orders/502', status: 200}),
    event({path: '/boom', status: 502}),
    event({path: '/x', status: 404, method: 'POST', host: 'app.localhost'}),
    event({path: '/api/users', status: 503, host: 'api.localhost'}),
  ];
  const match = (text: string) => events.filter((e) => matchFilter(parseFilter(text), e)).map((e) => e.path);

  it('reads a bare status as the status, so 502 no longer matches a path that contains 502', () => {
    expect(match('502')).toEqual(['/boom']);
    expect(match('status:5xx')).toEqual(['/boom', '/api/users']);
    expect(match('4xx')).toEqual(['/x']);
    expect(match('status:404,502')).toEqual(['/boom', '/x']);
  });

  it('combines host, method, path and free text', () => {
    expect(match('host:app method:post')).toEqual(['/x']);
    expect(match('path:/api status:5xx')).toEqual(['/api/users']);
    expect(match('orders')).toEqual(['/orders/502']);
  });

  it('refuses a status it cannot read, naming the term', () => {
    expect(() => parseFilter('status:abc')).toThrow(FilterError);
    expect(() => parseFilter('status:abc')).toThrow('Invalid filter `status:abc`: expected a status like 404, 5xx or 404,5xx.');
  });
});

describe('curl and HAR', () => {
  it('copies a JSON POST as a curl command that sends the same method, URL, headers and body', () => {
    const c = capture({
      method: 'POST',
      url: '/api/users',
      requestHeaders: {':authority': 'api.localhost:1443', 'content-type': 'application/json', 'content-length': '15', 'x-note': "it's"},
      requestBody: body('{"name":"Ada"}'),
    });
    expect(curlCommand(c)).toBe(
      `curl --http2 -X POST https://api.localhost:1443/api/users -H 'content-type: application/json' -H 'x-note: it'\\''s' --data-binary '{"name":"Ada"}'`,
    );
  });

  it('writes HAR 1.2 that validates against the HAR schema, with decoded bodies and timings', () => {
    const e1 = event({method: 'POST', path: '/api?x=1', status: 201, protocol: 'h2', duration: 12});
    const e2 = event({path: '/missing', status: 502, error: 'ECONNREFUSED'});
    const captures = new Map([
      [
        e1.id,
        capture({
          id: e1.id,
          method: 'POST',
          url: '/api?x=1',
          requestHeaders: {':authority': 'api.localhost:1443', 'content-type': 'application/json'},
          requestBody: body('{"a":1}'),
          responseHeaders: {'content-type': 'application/json', 'content-encoding': 'gzip'},
          responseBody: body(gzipSync('{"ok":true}')),
        }),
      ],
    ]);
    const har = buildHar([e1, e2], captures, '1.2.3');
    const result = harValidator()(har);
    expect(result.errors).toBe('No errors');
    expect(result.valid).toBe(true);
    const [first, second] = har.log.entries;
    expect(first!.request.url).toBe('https://api.localhost:1443/api?x=1');
    expect(first!.request.queryString).toEqual([{name: 'x', value: '1'}]);
    expect(first!.request.postData).toEqual({mimeType: 'application/json', text: '{"a":1}'});
    expect(first!.response.content.text).toBe('{"ok":true}');
    expect(first!.timings).toMatchObject({blocked: 0, connect: 2, send: 1, wait: 7, receive: 2});
    expect(second!.comment).toContain('error: ECONNREFUSED');
  });
});
