/**
 * Secrets in captured headers: what `portico mcp` (and HAR files) hide unless asked to keep them.
 * Only the values go; the header names stay, so a reader still sees that a request was authenticated.
 */
import type {Headers} from './capture.js';

/** Header names (lower case) whose values are credentials. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** What a secret value is replaced with. */
export const REDACTED = '[redacted]';

/** The headers with every secret value replaced by REDACTED, or the same object when `keep`. */
export function redactHeaders<H extends Headers | undefined>(headers: H, keep: boolean): H {
  if (keep || !headers) return headers;
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? (Array.isArray(value) ? value.map(() => REDACTED) : REDACTED) : value;
  }
  return out as H;
}
