import type {IncomingHttpHeaders, OutgoingHttpHeaders} from 'node:http';

/** Hop-by-hop headers (RFC 9110 7.6.1): meaningful for one connection only, never forwarded. */
// HTTP/2 forbids all of these too (RFC 9113 §8.2.2), so this one list serves both client protocols.
// `Trailer` is end to end: it announces the trailers portico forwards. `Expect` is answered by portico's own
// server (100 Continue), so the backend never waits for a continue that would not come.
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'expect',
]);

/**
 * Headers through which a proxy tells a backend about the original request. A client sending them itself
 * could steer the backend (and, through it, the cache): portico drops them and sets its own X-Forwarded-*.
 */
function isClientForwarding(name: string): boolean {
  return (
    name === 'forwarded' ||
    name.startsWith('x-forwarded-') ||
    name === 'x-original-url' ||
    name === 'x-rewrite-url' ||
    name === 'x-real-ip' ||
    name === 'x-original-host'
  );
}

/** Marks a request that went through this portico; seeing our own mark again means a loop. */
export const HOP_HEADER = 'x-portico-hop';

/** The Host a request is for: h2 `:authority` or h1 `Host`, lower-case, without port. */
export function requestHost(headers: IncomingHttpHeaders): string | undefined {
  const raw = (headers[':authority'] as string | undefined) ?? headers.host;
  if (!raw) return undefined;
  // [::1]:1443 -> [::1]; app.localhost:1443 -> app.localhost
  const end = raw.charCodeAt(0) === 91 /* '[' */ ? raw.indexOf(']') + 1 : raw.indexOf(':');
  const name = (end > 0 ? raw.slice(0, end) : raw).toLowerCase();
  // app.localhost. (the absolute form of a name) is app.localhost.
  return name.charCodeAt(name.length - 1) === 46 /* '.' */ ? name.slice(0, -1) : name;
}

/** Names listed in a Connection header, which are hop-by-hop too. */
export function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (!value) return undefined;
  // The common values name only what is hop-by-hop anyway: nothing more to drop (no Set per message).
  if (typeof value === 'string') {
    const v = value.length <= 10 ? value.toLowerCase() : '';
    if (v === 'keep-alive' || v === 'close' || v === 'upgrade') return undefined;
  }
  const tokens = (Array.isArray(value) ? value.join(',') : value).split(',').map((t) => t.trim().toLowerCase());
  return new Set(tokens.filter(Boolean));
}

export interface ForwardHeaderOptions {
  /** The routed host (lower-case, no port). */
  host: string;
  /**
   * The port the client reached portico on. With the host it makes the authority sent as Host: never a
   * port the client wrote into Host, so the backend, the route and the cache key all agree. Default 443.
   */
  port?: number;
  /** Client address for X-Forwarded-For. */
  clientIp: string;
  /** Our loop marker value. */
  hop: string;
  /** Keep Upgrade/Connection for a WebSocket handshake. */
  upgrade?: boolean;
}

/** Request headers for the backend: hop-by-hop and h2 pseudo-headers out, Host kept, X-Forwarded-* set. */
export function forwardRequestHeaders(headers: IncomingHttpHeaders, options: ForwardHeaderOptions): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const listed = connectionTokens(headers.connection);
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* ':' */ || HOP_BY_HOP.has(name) || listed?.has(name) || isClientForwarding(name)) continue;
    out[name] = headers[name];
  }
  // TE: trailers is the one TE value that may cross (gRPC-web and friends rely on it).
  if (headers.te === 'trailers') out.te = 'trailers';
  const port = options.port ?? 443;
  out.host = port === 443 ? options.host : `${options.host}:${port}`;
  // portico is the first proxy: what a client says about earlier hops is not kept (README "Security model").
  out['x-forwarded-for'] = options.clientIp;
  out['x-forwarded-proto'] = 'https';
  out['x-forwarded-host'] = out.host;
  out['x-forwarded-port'] = String(port);
  out[HOP_HEADER] = options.hop;
  if (options.upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = (headers.upgrade as string | undefined) ?? 'websocket';
  }
  return out;
}

/** Response headers for the client: hop-by-hop out (HTTP/2 forbids them outright). */
export function forwardResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const listed = connectionTokens(headers.connection);
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    out[name] = headers[name];
  }
  return out;
}

/**
 * True when the request may carry a body that must be streamed. `endAfterHeaders` is HTTP/2's END_STREAM
 * on the HEADERS frame: such a request (a DELETE, an OPTIONS) has no body, so none is sent chunked.
 */
export function hasBody(headers: IncomingHttpHeaders, isH2: boolean, method: string, endAfterHeaders = false): boolean {
  if (headers['content-length'] !== undefined) return headers['content-length'] !== '0';
  if (headers['transfer-encoding'] !== undefined) return true;
  // h2 requests have no Transfer-Encoding: a body is any DATA frame, which only non-GET/HEAD methods send here.
  return isH2 && !endAfterHeaders && method !== 'GET' && method !== 'HEAD';
}
