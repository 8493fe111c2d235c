/** A `curl` command that reproduces a captured request through portico (`y` in the dashboard). */
import type {ExchangeCapture, Headers} from './capture.js';

/**
 * Headers of a captured request that belonged to its connection, or that a new request sends for
 * itself (its length, portico's loop mark): left out when the request is sent again (curl, replay).
 */
export const CONNECTION_BOUND = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'http2-settings',
  'content-length',
  'x-portico-hop',
]);

/** Besides those, headers curl sets itself. */
const SKIP = new Set([...CONNECTION_BOUND, 'host', 'accept-encoding']);

/** POSIX shell single quotes: safe for any text. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function value(v: string | string[]): string {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The authority the client used (`app.localhost:1443`), from `:authority` or `Host`. */
export function authorityOf(headers: Headers, host: string): string {
  return value(headers[':authority'] ?? headers.host ?? host);
}

export interface CurlOptions {
  /** A CA file to pass with --cacert (when the CA is not trusted system-wide). */
  cacert?: string;
}

export function curlCommand(capture: ExchangeCapture, options: CurlOptions = {}): string {
  const h = capture.requestHeaders;
  const parts = ['curl'];
  if (capture.clientProtocol === 'h2') parts.push('--http2');
  if (options.cacert) parts.push('--cacert', shellQuote(options.cacert));
  if (capture.method !== 'GET' || capture.requestBody?.size) parts.push('-X', shellQuote(capture.method));
  parts.push(shellQuote(`https://${authorityOf(h, capture.host)}${capture.url}`));
  for (const name of Object.keys(h)) {
    if (name.startsWith(':') || SKIP.has(name)) continue;
    parts.push('-H', shellQuote(`${name}: ${value(h[name]!)}`));
  }
  if (h['accept-encoding']) parts.push('--compressed');
  const body = capture.requestBody;
  let prefix = '';
  if (body && body.size > 0) {
    const bytes = Buffer.from(body.base64, 'base64');
    const text = bytes.toString('utf8');
    // eslint-disable-next-line no-control-regex
    if (!text.includes('\uFFFD') && !/[\u0000-\u0008\u000E-\u001F]/.test(text)) parts.push('--data-binary', shellQuote(text));
    else {
      // Binary: the shell decodes it and hands it to curl on stdin, byte for byte.
      prefix = `printf %s ${shellQuote(body.base64)} | base64 -d | `;
      parts.push('--data-binary', '@-');
    }
  }
  const command = prefix + parts.join(' ');
  return body?.truncated
    ? `${command}  # body truncated: only the first ${bytesText(Buffer.from(body.base64, 'base64').length)} of ${bytesText(body.size)} were captured`
    : command;
}

function bytesText(n: number): string {
  return `${n} bytes`;
}
