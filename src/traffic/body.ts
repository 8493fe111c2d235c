/**
 * A captured body made readable for the detail view: decompressed when it was sent compressed
 * (gzip, br, deflate; zstd where this Node has it), JSON pretty-printed, other text shown as text,
 * binary summarised by type and size. Pure: the dashboard calls it on the capture it fetched.
 */
import zlib from 'node:zlib';
import type {CapturedBody, Headers} from './capture.js';

export interface BodyView {
  kind: 'empty' | 'text' | 'json' | 'binary';
  /** Media type from Content-Type (`application/json`), or `unknown`. */
  type: string;
  /** Bytes on the wire (compressed when it was). */
  wireSize: number;
  /** The content coding that was undone (`gzip`), if any. */
  decoded?: string;
  /** Why it could not be decoded, if that failed. */
  decodeError?: string;
  /** True when only the first part of the body was captured. */
  truncated: boolean;
  /** The text to show (pretty JSON, text), or a one-line summary for binary. */
  text: string;
}

function header(headers: Headers | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

type Decoder = (input: Buffer, options: zlib.ZlibOptions | zlib.BrotliOptions) => Buffer;

function decoderFor(coding: string): Decoder | undefined {
  const sync = zlib as unknown as Record<string, Decoder | undefined>;
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync as Decoder;
    case 'deflate':
      return zlib.inflateSync as Decoder;
    case 'br':
      return zlib.brotliDecompressSync as Decoder;
    case 'zstd':
      // Node >= 22.15 / 23.8 has zstd; older Node shows the body as binary.
      return sync.zstdDecompressSync;
    default:
      return undefined;
  }
}

/** Undo the content codings, last applied first. A truncated body decodes as far as it goes. */
export function decodeContent(bytes: Buffer, contentEncoding: string | undefined, truncated: boolean): {bytes: Buffer; decoded?: string; error?: string} {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  if (codings.length === 0 || bytes.length === 0) return {bytes};
  let out = bytes;
  for (const coding of codings.reverse()) {
    const decode = decoderFor(coding);
    if (!decode) return {bytes, error: `${coding} is not supported by this Node`};
    try {
      // Sync flush: the first 64 KiB of a longer body still decodes to what they hold.
      const flush = coding === 'br' ? {finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH} : {finishFlush: zlib.constants.Z_SYNC_FLUSH};
      out = decode(out, truncated ? flush : {});
    } catch (error) {
      return {bytes, error: `not valid ${coding} (${(error as Error).message})`};
    }
  }
  return {bytes: out, decoded: codings.reverse().join(', ')};
}

const TEXT_TYPES =
  /^(text\/|application\/(json|[\w.+-]*\+json|javascript|ecmascript|xml|[\w.+-]*\+xml|x-www-form-urlencoded|graphql|x-ndjson|yaml|toml)|image\/svg\+xml)/;

/** True when the bytes look like text (valid UTF-8 with no NUL or stray control characters). */
function looksLikeText(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 4096);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000E-\u001A\u001C-\u001F]/.test(sample.toString('latin1'))) return false;
  return !sample.toString('utf8').includes('\uFFFD');
}

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function viewBody(body: CapturedBody | undefined, headers: Headers | undefined): BodyView {
  const type = (header(headers, 'content-type') ?? 'unknown').split(';')[0]!.trim().toLowerCase() || 'unknown';
  if (!body || body.size === 0) return {kind: 'empty', type, wireSize: 0, truncated: false, text: ''};
  const raw = Buffer.from(body.base64, 'base64');
  const content = decodeContent(raw, header(headers, 'content-encoding'), body.truncated);
  const base = {
    type,
    wireSize: body.size,
    truncated: body.truncated,
    ...(content.decoded ? {decoded: content.decoded} : {}),
    ...(content.error ? {decodeError: content.error} : {}),
  };
  const isText = !content.error && (TEXT_TYPES.test(type) || (type === 'unknown' && looksLikeText(content.bytes)));
  if (!isText || !looksLikeText(content.bytes)) {
    return {
      ...base,
      kind: 'binary',
      text: `${type === 'unknown' ? 'binary data' : type}, ${humanSize(body.size)}${content.decoded ? ` (${content.decoded})` : ''}`,
    };
  }
  const text = content.bytes.toString('utf8');
  if (/json/.test(type) || (type === 'unknown' && /^\s*[[{]/.test(text))) {
    try {
      return {...base, kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2)};
    } catch {
      // Truncated or not JSON after all: show it as it is.
    }
  }
  return {...base, kind: 'text', text};
}
