import {Readable} from 'node:stream';
import zlib from 'node:zlib';
import {describe, expect, it} from 'vitest';
import {compressFeature} from '../../../src/frontdoor/compress.js';
import {CODINGS, HAS_ZSTD, negotiateEncoding} from '../../../src/frontdoor/negotiate.js';
import {backendResponse, fakeEntry, fakeExchange, readAll, runThrough} from '../../helpers/exchange.js';

const entry = fakeEntry({compress: true});
const json = Buffer.from(JSON.stringify(Array.from({length: 200}, (_, i) => ({id: i, name: `item ${i}`}))));

function decode(coding: string | undefined, body: Buffer): Buffer {
  if (coding === 'gzip') return zlib.gunzipSync(body);
  if (coding === 'br') return zlib.brotliDecompressSync(body);
  if (coding === 'zstd') return (zlib as unknown as {zstdDecompressSync(b: Buffer): Buffer}).zstdDecompressSync(body);
  return body;
}

async function send(
  acceptEncoding: string | undefined,
  headers: Record<string, string> = {'content-type': 'application/json'},
  body: Buffer = json,
  init: {method?: string; status?: number; range?: string} = {},
) {
  const ex = fakeExchange({
    method: init.method,
    headers: {...(acceptEncoding === undefined ? {} : {'accept-encoding': acceptEncoding}), ...(init.range ? {range: init.range} : {})},
    entry,
  });
  return runThrough(compressFeature(), entry, ex, () => backendResponse(init.status ?? 200, {'content-length': String(body.length), ...headers}, body));
}

describe('content negotiation', () => {
  it('picks the coding with the highest q-value, ours breaking ties, q=0 refusing', () => {
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br');
    expect(negotiateEncoding('gzip;q=1, br;q=0.5')).toBe('gzip');
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBeUndefined();
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('*;q=0.1, gzip;q=0')).toBe(CODINGS[0]);
    expect(negotiateEncoding('x-gzip')).toBe('gzip');
    expect(negotiateEncoding(undefined)).toBeUndefined();
    expect(negotiateEncoding('zstd, gzip;q=0.9')).toBe(HAS_ZSTD ? 'zstd' : 'gzip');
  });
});

describe('compression', () => {
  for (const coding of CODINGS) {
    it(`encodes a JSON body as ${coding} that decodes to the backend's bytes`, async () => {
      const {response, body} = await send(coding);
      expect(response.headers['content-encoding']).toBe(coding);
      expect(response.headers['content-length']).toBeUndefined();
      expect(response.headers.vary).toBe('Accept-Encoding');
      expect(body.length).toBeLessThan(json.length);
      expect(decode(coding, body).equals(json)).toBe(true);
    });
  }

  it('leaves the body alone but still says Vary when the client accepts no coding', async () => {
    const {response, body} = await send(undefined);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.headers.vary).toBe('Accept-Encoding');
    expect(body.equals(json)).toBe(true);
  });

  it('never re-encodes, and passes images, fonts, small bodies, 206s, range requests and no-transform through byte for byte', async () => {
    const small = Buffer.from('{"small":true}');
    const cases: Array<[Record<string, string>, Buffer, {status?: number; range?: string}]> = [
      [{'content-type': 'application/json', 'content-encoding': 'br'}, json, {}],
      [{'content-type': 'image/png'}, json, {}],
      [{'content-type': 'font/woff2'}, json, {}],
      [{'content-type': 'application/json'}, small, {}],
      [{'content-type': 'application/json', 'content-range': 'bytes 0-99/5000'}, json, {status: 206}],
      [{'content-type': 'application/json'}, json, {range: 'bytes=0-99'}],
      [{'content-type': 'application/json', 'cache-control': 'no-transform'}, json, {}],
    ];
    for (const [headers, body, init] of cases) {
      const {response, body: sent} = await send('gzip', headers, body, init);
      const what = JSON.stringify(headers);
      // The backend's headers as they were (Content-Length and Content-Encoding included); only Vary may be added.
      const {vary, ...rest} = response.headers;
      expect(rest, what).toEqual({'content-length': String(body.length), ...headers});
      if (vary !== undefined) expect(vary, what).toBe('Accept-Encoding');
      expect(sent.equals(body), what).toBe(true);
    }
  });

  it('compresses SVG, and weakens a strong ETag and drops Accept-Ranges when it encodes', async () => {
    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${'<rect/>'.repeat(300)}</svg>`);
    const {response} = await send('gzip', {'content-type': 'image/svg+xml', etag: '"abc"', 'accept-ranges': 'bytes'}, svg);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers.etag).toBe('W/"abc"');
    expect(response.headers['accept-ranges']).toBeUndefined();
  });

  it('flushes each chunk as it arrives, so server-sent events are not held back', async () => {
    const source = new Readable({read() {}});
    const ex = fakeExchange({headers: {'accept-encoding': 'gzip'}, entry});
    const res = compressFeature().response!(entry)!(ex, {status: 200, headers: {'content-type': 'text/event-stream'}, body: source, source: 'backend'});
    const out = (await res).body;
    const gunzip = zlib.createGunzip();
    out.pipe(gunzip);
    const received: string[] = [];
    gunzip.on('data', (c: Buffer) => received.push(c.toString()));
    source.push('data: one\n\n');
    await expect.poll(() => received.join('')).toBe('data: one\n\n');
    source.push('data: two\n\n');
    await expect.poll(() => received.join('')).toBe('data: one\n\ndata: two\n\n');
    source.push(null);
    await readAll(gunzip).catch(() => undefined);
  });
});
