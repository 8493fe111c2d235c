import {createHash} from 'node:crypto';
import type {Exchange, PassFactory} from '../pipeline/exchange.js';
import type {AuthOption} from '../routes/types.js';
import {basicChallenge, tokenAccepted, tokenLoginPage, tooManyFailures} from './auth-pages.js';
import {sameSecret, verifyPassword, verifyToken} from './auth-secret.js';

/** The query parameter a token link carries. */
export const TOKEN_PARAM = 'portico_token';

export interface AuthFeatureOptions {
  /** Milliseconds, monotonic. Default performance.now. */
  now?: () => number;
  /** Failed attempts a client may make on a route within `authWindowMs` before it gets 429. Default 10. */
  authFailures?: number;
  /** The failure window. Default 60 s. */
  authWindowMs?: number;
}

interface Failures {
  count: number;
  since: number;
}

type Verdict = 'ok' | 'missing' | 'wrong';

/** Credentials remembered per route configuration, so a browsing session costs one scrypt check. */
const REMEMBERED = 1000;
/** Clients tracked per route before expired windows are swept. */
const SWEEP_AT = 10_000;

/**
 * `--auth basic:USER | token` (README "Access gate"): the first request pass, so an unauthenticated
 * request or WebSocket handshake is answered here and never reaches the backend. The credential is
 * removed from what is forwarded (Authorization, the token cookie and parameter) and named as a
 * secret of the exchange, so the traffic view, capture and HAR show `[redacted]` in its place.
 * Failed attempts count per client and route; past the limit the answer is 429 until the window ends.
 */
export function authFeature(options: AuthFeatureOptions = {}): PassFactory {
  const now = options.now ?? (() => performance.now());
  const limit = options.authFailures ?? 10;
  const windowMs = options.authWindowMs ?? 60_000;
  // Per route key, so a route update does not forgive failures.
  const routes = new Map<string, Map<string, Failures>>();
  return {
    name: 'auth',
    shared: true,
    request(entry) {
      const auth = entry.route.options?.auth;
      if (!auth) return undefined;
      let clients = routes.get(entry.key);
      if (!clients) routes.set(entry.key, (clients = new Map()));
      const failures = clients;
      const remembered = new Set<string>();
      const cookieName = tokenCookieName(entry.key);
      return async (ex: Exchange) => {
        const t = now();
        const mine = failures.get(ex.client);
        if (mine && t - mine.since >= windowMs) failures.delete(ex.client);
        const current = failures.get(ex.client);
        if (current && current.count >= limit) {
          ex.notes.push('auth: 429, too many failures');
          ex.respond(tooManyFailures(entry.key, Math.max(1, Math.ceil((current.since + windowMs - t) / 1000))));
          return 'answered';
        }
        const verdict = auth.kind === 'basic' ? await checkBasic(ex, auth, remembered) : checkToken(ex, auth, cookieName);
        if (verdict === 'ok') {
          if (auth.kind === 'token' && acceptTokenLink(ex, cookieName, entry.path)) return 'answered';
          return 'next';
        }
        if (verdict === 'wrong') {
          if (failures.size >= SWEEP_AT) sweep(failures, t, windowMs);
          const f = failures.get(ex.client) ?? {count: 0, since: t};
          f.count++;
          failures.set(ex.client, f);
        }
        ex.notes.push(`auth: 401, ${verdict === 'wrong' ? 'wrong credentials' : 'no credentials'}`);
        ex.respond(auth.kind === 'basic' ? basicChallenge(entry.key) : tokenLoginPage(entry.key, verdict === 'wrong'));
        return 'answered';
      };
    },
  };
}

/** `portico_auth_<8 hex>`: one cookie per route, like the sticky cookie. */
export function tokenCookieName(routeKey: string): string {
  return `portico_auth_${createHash('sha256').update(routeKey).digest('hex').slice(0, 8)}`;
}

async function checkBasic(ex: Exchange, auth: Extract<AuthOption, {kind: 'basic'}>, remembered: Set<string>): Promise<Verdict> {
  const header = ex.requestHeaders.authorization;
  if (typeof header !== 'string' || !/^basic\s+/i.test(header)) return 'missing';
  ex.secrets?.push(header);
  // The backend never sees portico's credential.
  delete ex.requestHeaders.authorization;
  const seen = createHash('sha256').update(header).digest('base64url');
  if (remembered.has(seen)) return 'ok';
  const decoded = Buffer.from(header.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return 'wrong';
  const password = decoded.slice(colon + 1);
  ex.secrets?.push(password);
  // Both checks always run, so a wrong user name takes as long as a wrong password.
  const userOk = sameSecret(decoded.slice(0, colon), auth.user);
  const passwordOk = await verifyPassword(password, auth.hash);
  if (!userOk || !passwordOk) return 'wrong';
  if (remembered.size >= REMEMBERED) remembered.clear();
  remembered.add(seen);
  return 'ok';
}

function checkToken(ex: Exchange, auth: Extract<AuthOption, {kind: 'token'}>, cookieName: string): Verdict {
  const presented: string[] = [];
  const fromQuery = queryToken(ex.url);
  if (fromQuery !== undefined) presented.push(fromQuery);
  const header = ex.requestHeaders.authorization;
  if (typeof header === 'string' && /^bearer\s+/i.test(header)) {
    presented.push(header.replace(/^bearer\s+/i, '').trim());
    ex.secrets?.push(header);
    delete ex.requestHeaders.authorization;
  }
  const cookies = ex.requestHeaders.cookie;
  if (typeof cookies === 'string') {
    const kept: string[] = [];
    for (const part of cookies.split(';')) {
      const eq = part.indexOf('=');
      if (eq !== -1 && part.slice(0, eq).trim() === cookieName) presented.push(part.slice(eq + 1).trim());
      else if (part.trim() !== '') kept.push(part.trim());
    }
    if (kept.length === 0) delete ex.requestHeaders.cookie;
    else ex.requestHeaders.cookie = kept.join('; ');
  }
  if (fromQuery !== undefined) ex.forwardPath = withoutToken(ex.forwardPath);
  if (presented.length === 0) return 'missing';
  for (const token of presented) if (token !== '') ex.secrets?.push(token);
  return presented.some((token) => verifyToken(token, auth.hash)) ? 'ok' : 'wrong';
}

/** A page load through the token link: answer with the cookie and the same URL without the token. */
function acceptTokenLink(ex: Exchange, cookieName: string, routePath: string): boolean {
  const token = queryToken(ex.url);
  if (token === undefined || ex.websocket || (ex.method !== 'GET' && ex.method !== 'HEAD')) return false;
  ex.notes.push('auth: token accepted, cookie set');
  ex.respond(tokenAccepted(withoutToken(ex.url), `${cookieName}=${token}; Path=${routePath}; Max-Age=2592000; HttpOnly; Secure; SameSite=Lax`));
  return true;
}

/** The `portico_token` query parameter, if present. */
export function queryToken(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if ((eq === -1 ? pair : pair.slice(0, eq)) !== TOKEN_PARAM) continue;
    const raw = eq === -1 ? '' : pair.slice(eq + 1);
    try {
      return decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** `url` without the token parameter, every other one as it was sent. */
export function withoutToken(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((pair) => (pair.indexOf('=') === -1 ? pair : pair.slice(0, pair.indexOf('='))) !== TOKEN_PARAM);
  return kept.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${kept.join('&')}`;
}

function sweep(failures: Map<string, Failures>, t: number, windowMs: number): void {
  for (const [client, f] of failures) if (t - f.since >= windowMs) failures.delete(client);
}
