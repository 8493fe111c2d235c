import type {IncomingHttpHeaders} from 'node:http';
import {Readable} from 'node:stream';
import type CachePolicy from 'http-cache-semantics';
import type {Exchange, ExchangeResponse} from '../pipeline/exchange.js';
import type {CachedResponse} from './cache-store.js';

/** RFC 9111 for a shared cache, no heuristic freshness: a dev proxy never serves stale pages by surprise. */
export const POLICY_OPTIONS: CachePolicy.Options = {shared: true, cacheHeuristic: 0};

/** The name portico gives itself in `Cache-Status` (RFC 9211). */
const CACHE_NAME = 'portico';

/** The primary cache key: host and the URL as the client asked for it (the method is always GET). */
export function cacheKey(exchange: Pick<Exchange, 'host' | 'url'>): string {
  return `${exchange.host}${exchange.url}`;
}

/** The request as http-cache-semantics reads it. */
export function policyRequest(exchange: Pick<Exchange, 'method' | 'url' | 'requestHeaders' | 'host'>): CachePolicy.Request {
  const headers: CachePolicy.Headers = {};
  // HTTP/2 pseudo-headers are not request headers; `:authority` stands where HTTP/1.1 has Host, and
  // the policy matches on Host: give both protocols the routed host, so they share entries.
  for (const [name, value] of Object.entries(exchange.requestHeaders)) if (!name.startsWith(':') && value !== undefined) headers[name] = value;
  headers.host = exchange.host;
  return {method: exchange.method, url: exchange.url, headers};
}

/** The request header values the response's `Vary` names: equal values mean the same variant. */
export function variantOf(request: CachePolicy.Request, responseHeaders: IncomingHttpHeaders): string {
  const vary = String(responseHeaders.vary ?? '').toLowerCase();
  return vary
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .sort()
    .map((h) => `${h}=${String(request.headers[h] ?? '')}`)
    .join('\n');
}

/**
 * Whether a backend response may be stored: the policy says so (no `no-store`, no `private`, no
 * `Authorization` unless the response allows it), no `Set-Cookie` (one user's session must never reach
 * another), no `Vary: *`, and something to reuse it for: a lifetime or a validator to revalidate with.
 */
export function isStorable(policy: CachePolicy, response: Pick<ExchangeResponse, 'status' | 'headers'>): boolean {
  const {headers} = response;
  if (!policy.storable() || headers['set-cookie'] !== undefined) return false;
  if (String(headers.vary ?? '').trim() === '*') return false;
  return policy.timeToLive() > 0 || headers.etag !== undefined || headers['last-modified'] !== undefined;
}

/** Append portico's entry to `Cache-Status`: entries go in the order caches handled the response. */
export function withCacheStatus(headers: IncomingHttpHeaders, status: string): void {
  const entry = `${CACHE_NAME}; ${status}`;
  const existing = headers['cache-status'];
  headers['cache-status'] = existing ? `${String(existing)}, ${entry}` : entry;
}

const weak = (tag: string) => tag.trim().replace(/^W\//, '');

/** The client's own validator matches the stored response (RFC 9110 §13.1.2, §13.1.3): answer 304. */
export function clientValidatorMatches(requestHeaders: IncomingHttpHeaders, headers: CachePolicy.Headers): boolean {
  const inm = requestHeaders['if-none-match'];
  const etag = headers.etag === undefined ? undefined : String(headers.etag);
  if (inm !== undefined) {
    if (String(inm).trim() === '*') return true;
    return (
      etag !== undefined &&
      String(inm)
        .split(',')
        .some((t) => weak(t) === weak(etag))
    );
  }
  const ims = requestHeaders['if-modified-since'];
  const lastModified = headers['last-modified'];
  if (ims === undefined || lastModified === undefined) return false;
  const since = Date.parse(String(ims));
  const modified = Date.parse(String(lastModified));
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}

/** Headers a 304 carries (RFC 9110 §15.4.5). */
const NOT_MODIFIED_HEADERS = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'last-modified', 'age', 'cache-status'];

/** An answer from the store: the body, a 304 when the client's validator matches, or no body for HEAD. */
export function answerFromCache(exchange: Pick<Exchange, 'method' | 'requestHeaders'>, cached: CachedResponse, status: string): ExchangeResponse {
  const headers = cached.policy.responseHeaders() as IncomingHttpHeaders;
  withCacheStatus(headers, status);
  if (clientValidatorMatches(exchange.requestHeaders, headers as CachePolicy.Headers)) {
    const kept: IncomingHttpHeaders = {};
    for (const name of NOT_MODIFIED_HEADERS) if (headers[name] !== undefined) kept[name] = headers[name] as string;
    return {status: 304, headers: kept, body: Readable.from([]), source: 'cache'};
  }
  headers['content-length'] = String(cached.body.length);
  const body = exchange.method === 'HEAD' ? Readable.from([]) : Readable.from([cached.body]);
  return {status: cached.status, headers, body, source: 'cache'};
}

/** Rough bytes a stored response holds: its body plus its header text. */
export function storedSize(body: Buffer, headers: IncomingHttpHeaders): number {
  let size = body.length + 200;
  for (const [name, value] of Object.entries(headers)) size += name.length + String(value).length + 4;
  return size;
}

/** The response headers as http-cache-semantics wants them (no undefined values). */
export function policyResponse(response: Pick<ExchangeResponse, 'status' | 'headers'>): CachePolicy.Response {
  const headers: CachePolicy.Headers = {};
  for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = value;
  return {status: response.status, headers};
}
