import type {IncomingHttpHeaders} from 'node:http';
import {Readable} from 'node:stream';
import type {Exchange, ExchangeResponse, PassFactory} from '../pipeline/exchange.js';

/** How long a browser may reuse a preflight answer (seconds); short, since dev config changes. */
const PREFLIGHT_MAX_AGE = 600;

/** Headers not worth exposing: the CORS-safelisted ones (readable anyway), Vary, and Set-Cookie (never readable). */
const SAFELISTED = new Set(['vary', 'set-cookie', 'cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);

export function originAllowed(origins: readonly string[], origin: string | undefined): origin is string {
  if (!origin || origin === 'null') return false;
  return origins.includes('*') || origins.includes(origin);
}

function appendVary(headers: IncomingHttpHeaders, names: string[]): void {
  const have = String(headers.vary ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (have.includes('*')) return;
  for (const name of names) if (!have.some((h) => h.toLowerCase() === name.toLowerCase())) have.push(name);
  headers.vary = have.join(', ');
}

/** A CORS preflight: OPTIONS with an Origin and the method the page wants to use. */
export function isPreflight(ex: Pick<Exchange, 'method' | 'requestHeaders'>): boolean {
  return ex.method === 'OPTIONS' && ex.requestHeaders.origin !== undefined && ex.requestHeaders['access-control-request-method'] !== undefined;
}

/**
 * The preflight answer for an allowed origin: 204 allowing the method and headers asked for, with
 * credentials. The origin is echoed rather than `*`, because browsers refuse `*` for requests with cookies.
 */
export function preflightResponse(requestHeaders: IncomingHttpHeaders): ExchangeResponse {
  const headers: IncomingHttpHeaders = {
    'access-control-allow-origin': String(requestHeaders.origin),
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': String(requestHeaders['access-control-request-method']),
    'access-control-max-age': String(PREFLIGHT_MAX_AGE),
    'content-length': '0',
  };
  const asked = requestHeaders['access-control-request-headers'];
  if (asked) headers['access-control-allow-headers'] = String(asked);
  // Chrome's Private Network Access asks this of a page reaching loopback from a public origin.
  if (requestHeaders['access-control-request-private-network'] === 'true') headers['access-control-allow-private-network'] = 'true';
  appendVary(headers, ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']);
  return {status: 204, headers, body: Readable.from([]), source: 'portico'};
}

/** CORS headers on an actual response to an allowed origin; the backend's own CORS headers are replaced. */
export function addCorsHeaders(requestHeaders: IncomingHttpHeaders, res: ExchangeResponse, origins: readonly string[]): ExchangeResponse {
  const origin = requestHeaders.origin as string | undefined;
  // Whatever the origin, the answer depends on it: a cache must not hand one origin's answer to another.
  appendVary(res.headers, ['Origin']);
  if (!originAllowed(origins, origin)) return res;
  res.headers['access-control-allow-origin'] = origin;
  res.headers['access-control-allow-credentials'] = 'true';
  const exposed = Object.keys(res.headers).filter((name) => !SAFELISTED.has(name) && !name.startsWith('access-control-'));
  if (exposed.length > 0) res.headers['access-control-expose-headers'] = exposed.join(', ');
  else delete res.headers['access-control-expose-headers'];
  return res;
}

/**
 * Browsers apply no CORS to WebSockets: any page may open one to any host, cookies included. On a
 * route with `--cors`, the origin check happens here instead: a handshake from a page of another,
 * unlisted origin is refused with 403; the route's own origin and clients without Origin pass.
 */
function refuseForeignSocket(ex: Exchange, origins: readonly string[]): 'next' | 'answered' {
  const origin = ex.requestHeaders.origin as string | undefined;
  if (origin === undefined || originAllowed(origins, origin) || sameHost(origin, ex.host)) return 'next';
  ex.notes.push('cors: origin refused');
  const body = `portico refused a WebSocket from ${origin}: not among this route's --cors origins.\n`;
  ex.respond({status: 403, headers: {'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body))}, body: Readable.from([Buffer.from(body)]), source: 'portico'});
  return 'answered';
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).hostname === host;
  } catch {
    return false;
  }
}

/**
 * `--cors[=ORIGINS]`: answers preflights from allowed origins itself (204) and adds the CORS headers
 * to responses for them. A preflight from another origin goes to the backend, which stays in charge.
 */
export function corsFeature(): PassFactory {
  return {
    name: 'cors',
    request(entry) {
      const cors = entry.route.options?.cors;
      if (!cors) return undefined;
      return (ex) => {
        if (ex.websocket) return refuseForeignSocket(ex, cors.origins);
        if (!isPreflight(ex) || !originAllowed(cors.origins, ex.requestHeaders.origin as string)) return 'next';
        ex.notes.push('cors: preflight');
        ex.respond(preflightResponse(ex.requestHeaders));
        return 'answered';
      };
    },
    response(entry) {
      const cors = entry.route.options?.cors;
      if (!cors) return undefined;
      return (ex, res) => (isPreflight(ex) && res.source === 'portico' && res.status === 204 ? res : addCorsHeaders(ex.requestHeaders, res, cors.origins));
    },
  };
}
