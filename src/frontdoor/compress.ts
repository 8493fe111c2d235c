import type {IncomingHttpHeaders} from 'node:http';
import type {Readable, Transform} from 'node:stream';
import zlib from 'node:zlib';
import type {Exchange, ExchangeResponse, PassFactory} from '../pipeline/exchange.js';
import {negotiateEncoding, type Coding} from './negotiate.js';
import {keepTrailers} from './trailers.js';

/** Bodies known to be smaller than this are sent as they are: the encoding would cost more than it saves. */
export const MIN_COMPRESS_BYTES = 1024;

/** Media types that are compressed already (or gain nothing): images except SVG, audio, video, fonts, archives. */
function alreadyCompressed(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'image/svg+xml') return false;
  if (/^(image|audio|video)\//.test(type)) return true;
  if (/^font\/(woff2?|otf|ttf)$/.test(type) || type === 'application/font-woff') return true;
  return /^application\/(zip|gzip|x-gzip|x-bzip2|x-xz|x-7z-compressed|x-rar-compressed|zstd|wasm|pdf|octet-stream)$/.test(type);
}

/** Whether this response's body is one we would encode for some client (then it must say `Vary: Accept-Encoding`). */
export function isCompressible(method: string, requestHeaders: IncomingHttpHeaders, response: Pick<ExchangeResponse, 'status' | 'headers'>): boolean {
  const {status, headers} = response;
  // 206: a range of the identity body; compressing it would make a range of nothing the client asked for.
  if (status < 200 || status === 204 || status === 206 || status === 304) return false;
  // A range request gets the backend's own answer: ranges are of the identity representation.
  if (requestHeaders.range !== undefined) return false;
  if (method === 'CONNECT') return false;
  const encoding = String(headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== '') return false;
  if (/(^|,)\s*no-transform\s*(,|$)/i.test(String(headers['cache-control'] ?? ''))) return false;
  if (alreadyCompressed(String(headers['content-type'] ?? 'application/octet-stream'))) return false;
  const length = headers['content-length'];
  return length === undefined || Number(length) >= MIN_COMPRESS_BYTES;
}

/** An encoder for one coding, at levels fit for on-the-fly use. */
export function createEncoder(coding: Coding): Transform {
  switch (coding) {
    case 'gzip':
      return zlib.createGzip({level: 5});
    case 'br':
      // Quality 4: on the fly, the default 11 costs ~20x the CPU for a few percent.
      return zlib.createBrotliCompress({params: {[zlib.constants.BROTLI_PARAM_QUALITY]: 4}});
    case 'zstd':
      return (zlib as unknown as {createZstdCompress(): Transform}).createZstdCompress();
  }
}

/** The flush that emits everything written so far without ending the stream (zlib's default for gzip is a full flush). */
function syncFlush(coding: Coding, encoder: Transform): void {
  const z = encoder as Transform & {flush(kind?: number): void};
  if (coding === 'gzip') z.flush(zlib.constants.Z_SYNC_FLUSH);
  else if (coding === 'br') z.flush(zlib.constants.BROTLI_OPERATION_FLUSH);
  else z.flush((zlib.constants as Record<string, number>).ZSTD_e_flush);
}

/**
 * Feed the body through the encoder, flushing whenever the backend pauses: what has arrived reaches
 * the client before the next event-loop turn (server-sent events, chunked progress), while a body
 * arriving in a burst is compressed as one (a flush per chunk would cost ~2x in size and many
 * thread-pool round trips). Backpressure flows both ways; an error on either side ends both.
 */
export function encodeStream(coding: Coding, source: Readable): Transform {
  const encoder = createEncoder(coding);
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    scheduled = undefined;
    if (!encoder.writableEnded && !encoder.destroyed) syncFlush(coding, encoder);
  };
  source.on('data', (chunk: Buffer) => {
    if (!encoder.write(chunk)) {
      source.pause();
      encoder.once('drain', () => source.resume());
    }
    scheduled ??= setImmediate(flush);
  });
  source.once('end', () => {
    if (scheduled) clearImmediate(scheduled);
    encoder.end();
  });
  source.once('error', (error) => encoder.destroy(error));
  // A backend body that closes without ending was cut short: the client must see a broken response.
  source.once('close', () => {
    if (!source.readableEnded && !encoder.destroyed) encoder.destroy(new Error('backend response broke'));
  });
  encoder.once('close', () => {
    if (scheduled) clearImmediate(scheduled);
    if (!source.readableEnded) source.destroy();
  });
  return encoder;
}

function addVary(headers: IncomingHttpHeaders, name: string): void {
  const vary = String(headers.vary ?? '');
  if (vary.trim() === '*') return;
  if (vary.split(',').some((v) => v.trim().toLowerCase() === name.toLowerCase())) return;
  headers.vary = vary.trim() ? `${vary}, ${name}` : name;
}

/** A strong ETag names the identity bytes; the encoded body is another representation (RFC 9110 §8.8.3). */
function weakenEtag(headers: IncomingHttpHeaders): void {
  const etag = headers.etag;
  if (typeof etag === 'string' && !etag.startsWith('W/')) headers.etag = `W/${etag}`;
}

/** Encode the response for this client, or leave it as it is. */
export function compressResponse(ex: Pick<Exchange, 'method' | 'requestHeaders' | 'notes'>, res: ExchangeResponse): ExchangeResponse {
  if (!isCompressible(ex.method, ex.requestHeaders, res)) return res;
  addVary(res.headers, 'Accept-Encoding');
  const coding = negotiateEncoding(ex.requestHeaders['accept-encoding'] as string | undefined);
  if (!coding) return res;
  res.headers['content-encoding'] = coding;
  delete res.headers['content-length'];
  // Ranges of the encoded body cannot be served: it is made on the fly, afresh each time.
  delete res.headers['accept-ranges'];
  weakenEtag(res.headers);
  if (ex.method === 'HEAD') return res;
  const source = res.body;
  source.once('end', () => keepTrailers(res, source));
  res.body = encodeStream(coding, source);
  return res;
}

/** `--compress`: gzip, Brotli and (where Node has it) zstd, negotiated per request, streamed. */
export function compressFeature(): PassFactory {
  return {
    name: 'compress',
    response: (entry) => (entry.route.options?.compress ? (ex, res) => compressResponse(ex, res) : undefined),
  };
}
