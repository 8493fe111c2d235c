import type {IncomingHttpHeaders} from 'node:http';
import {Readable} from 'node:stream';
import type {Exchange, ExchangeResponse, PassFactory} from '../pipeline/exchange.js';
import {CORS_ANY, CORS_PRIVATE_NETWORK, CORS_SELF} from '../routes/options.js';

/** How long a browser may reuse a preflight answer (seconds); short, since dev config changes. */
const PREFLIGHT_MAX_AGE = 600;

/** Headers not worth exposing: the CORS-safelisted ones (readable anyway), Vary, and Set-Cookie (never readable). */
const SAFELISTED = new Set(['vary', 'set-cookie', 'cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);

/**
 * How an origin is let in (README "CORS"): `credentials` for this portico's own HTTPS origins (with
 * `self`) and origins listed by name, `any` for others under `*` (no credentials, `Allow-Origin: *`),
 * undefined for the rest, which get no CORS headers.
 */
export type CorsGrant = 'credentials' | 'any' | undefined;

/** Whether a host name is one this portico serves besides `localhost` and `*.localhost`: a name under an added domain. */
export type OwnName = (hostname: string) => boolean;

const NO_OTHER_NAMES: OwnName = () => false;

export function corsGrant(origins: readonly string[], origin: string | undefined, ownPort: number, ownName: OwnName = NO_OTHER_NAMES): CorsGrant {
  if (!origin || origin === 'null') return undefined;
  if (origins.includes(origin) || (origins.includes(CORS_SELF) && isOwnOrigin(origin, ownPort, ownName))) return 'credentials';
  return origins.includes(CORS_ANY) ? 'any' : undefined;
}

/**
 * `https://localhost[:port]`, `https://NAME.localhost[:port]` or a name under an added domain
 * (README "Your own dev domains"), on the port the request came in on: a page this portico serves.
 */
export function isOwnOrigin(origin: string, ownPort: number, ownName: OwnName = NO_OTHER_NAMES): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.origin !== origin) return false;
  const port = url.port === '' ? 443 : Number(url.port);
  return port === ownPort && (url.hostname === 'localhost' || url.hostname.endsWith('.localhost') || ownName(url.hostname));
}

/** The HTTPS port this request reached portico on, from its Host (or :authority): 443 when none is named. */
export function arrivalPort(requestHeaders: IncomingHttpHeaders): number {
  const authority = String(requestHeaders.host ?? requestHeaders[':authority'] ?? '');
  const match = /:(\d+)$/.exec(authority);
  return match ? Number(match[1]) : 443;
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

/** `Allow-Origin` (and `Allow-Credentials`) for a granted origin: the origin echoed with credentials, or `*` without. */
function allowOrigin(headers: IncomingHttpHeaders, grant: 'credentials' | 'any', origin: string): void {
  if (grant === 'credentials') {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-credentials'] = 'true';
  } else {
    // Browsers refuse `*` for requests with cookies: a page of any origin may read, never as the user.
    headers['access-control-allow-origin'] = '*';
    delete headers['access-control-allow-credentials'];
  }
}

/**
 * The preflight answer for a granted origin: 204 allowing the method and headers asked for. Chrome's
 * Private Network Access header only when the route's list says `private-network`.
 */
export function preflightResponse(requestHeaders: IncomingHttpHeaders, grant: 'credentials' | 'any', origins: readonly string[]): ExchangeResponse {
  const headers: IncomingHttpHeaders = {
    'access-control-allow-methods': String(requestHeaders['access-control-request-method']),
    'access-control-max-age': String(PREFLIGHT_MAX_AGE),
    'content-length': '0',
  };
  allowOrigin(headers, grant, String(requestHeaders.origin));
  const asked = requestHeaders['access-control-request-headers'];
  if (asked) headers['access-control-allow-headers'] = String(asked);
  if (origins.includes(CORS_PRIVATE_NETWORK) && requestHeaders['access-control-request-private-network'] === 'true')
    headers['access-control-allow-private-network'] = 'true';
  appendVary(headers, ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']);
  return {status: 204, headers, body: Readable.from([]), source: 'portico'};
}

/** CORS headers on an actual response to a granted origin; the backend's own CORS headers are replaced. */
export function addCorsHeaders(requestHeaders: IncomingHttpHeaders, res: ExchangeResponse, origins: readonly string[], ownName?: OwnName): ExchangeResponse {
  const origin = requestHeaders.origin as string | undefined;
  // Whatever the origin, the answer depends on it: a cache must not hand one origin's answer to another.
  appendVary(res.headers, ['Origin']);
  const grant = corsGrant(origins, origin, arrivalPort(requestHeaders), ownName);
  if (!grant) return res;
  allowOrigin(res.headers, grant, origin!);
  const exposed = Object.keys(res.headers).filter((name) => !SAFELISTED.has(name) && !name.startsWith('access-control-'));
  if (exposed.length > 0) res.headers['access-control-expose-headers'] = exposed.join(', ');
  else delete res.headers['access-control-expose-headers'];
  return res;
}

/**
 * Browsers apply no CORS to WebSockets: any page may open one to any host, cookies included. On a
 * route with `--cors`, the origin check happens here instead: only origins CORS would let in with
 * credentials (own origins under `self`, listed ones) and the route's own host pass, since a handshake
 * always carries cookies; `*` does not open sockets to other pages. Clients without Origin pass.
 */
function refuseForeignSocket(ex: Exchange, origins: readonly string[], ownName: OwnName): 'next' | 'answered' {
  const origin = ex.requestHeaders.origin as string | undefined;
  if (origin === undefined || corsGrant(origins, origin, arrivalPort(ex.requestHeaders), ownName) === 'credentials' || sameHost(origin, ex.host)) return 'next';
  ex.notes.push('cors: origin refused');
  const body = `portico refused a WebSocket from ${origin}: not among this route's --cors origins.\n`;
  ex.respond({
    status: 403,
    headers: {'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body))},
    body: Readable.from([Buffer.from(body)]),
    source: 'portico',
  });
  return 'answered';
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).hostname === host;
  } catch {
    return false;
  }
}

export interface CorsFeatureOptions {
  /** Names this portico serves under added domains, which `self` covers too. Default: none. */
  ownName?: OwnName;
}

/**
 * `--cors[=ORIGINS]`: answers preflights from granted origins itself (204) and adds the CORS headers
 * to responses for them. A preflight from another origin goes to the backend, which stays in charge.
 */
export function corsFeature(options: CorsFeatureOptions = {}): PassFactory {
  const ownName = options.ownName ?? NO_OTHER_NAMES;
  return {
    name: 'cors',
    request(entry) {
      const cors = entry.route.options?.cors;
      if (!cors) return undefined;
      return (ex) => {
        if (ex.websocket) return refuseForeignSocket(ex, cors.origins, ownName);
        if (!isPreflight(ex)) return 'next';
        const grant = corsGrant(cors.origins, ex.requestHeaders.origin as string, arrivalPort(ex.requestHeaders), ownName);
        if (!grant) return 'next';
        ex.notes.push('cors: preflight');
        ex.respond(preflightResponse(ex.requestHeaders, grant, cors.origins));
        return 'answered';
      };
    },
    response(entry) {
      const cors = entry.route.options?.cors;
      if (!cors) return undefined;
      return (ex, res) =>
        isPreflight(ex) && res.source === 'portico' && res.status === 204 ? res : addCorsHeaders(ex.requestHeaders, res, cors.origins, ownName);
    },
  };
}
