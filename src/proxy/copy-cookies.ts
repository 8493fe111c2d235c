import type {Exchange, ExchangeResponse, PassFactory, ServedCopy} from '../pipeline/exchange.js';

/**
 * Cookies of copies on one stable host (README "Copies of an app"). The browser keeps one cookie jar
 * for `shop.localhost`, so portico keeps the copies apart there: a cookie a copy other than the first
 * sets comes to the browser as `pc~<copy>~<name>` (after a `__Host-`/`__Secure-` prefix, which keeps
 * its meaning), and goes back to that copy under its own name; the first copy's cookies keep their
 * names. Each copy sees only its own cookies; nobody sees the switch cookie. portico's sticky-instance
 * cookies (`portico_<route>`) are already one per copy and pass unchanged.
 */

const BROWSER_PREFIX = /^(__Host-|__Secure-)?/;
const COPY_COOKIE = /^(__Host-|__Secure-)?pc~([a-z0-9-]+)~(.+)$/;
const PORTICO_OWN = 'portico_';

/** The Cookie header as the chosen copy may see it, or undefined when nothing is left. */
export function cookiesForCopy(header: string | undefined, copy: Pick<ServedCopy, 'name' | 'first' | 'switch'>): string | undefined {
  if (!header) return undefined;
  const kept: string[] = [];
  for (const raw of header.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    if (name === copy.switch.cookie) continue;
    if (name.startsWith(PORTICO_OWN)) {
      kept.push(part);
      continue;
    }
    const own = COPY_COOKIE.exec(name);
    if (own) {
      if (!copy.first && own[2] === copy.name) kept.push(`${own[1] ?? ''}${own[3]}${eq === -1 ? '' : part.slice(eq)}`);
    } else if (copy.first) kept.push(part);
  }
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/** One Set-Cookie line with the copy's prefix on its name. */
export function prefixSetCookie(line: string, copy: string): string {
  const eq = line.indexOf('=');
  if (eq <= 0) return line;
  const name = line.slice(0, eq).trim();
  if (name.startsWith(PORTICO_OWN)) return line;
  const browser = BROWSER_PREFIX.exec(name)![0];
  return `${browser}pc~${copy}~${name.slice(browser.length)}${line.slice(eq)}`;
}

/** Request: the copy sees only its cookies and no switch header. The traffic view notes which copy served. */
function requestPass(ex: Exchange): 'next' {
  const copy = ex.copy;
  const name = copy?.name ?? ex.entry.route.copy?.name;
  if (name) ex.notes.push(`copy: ${name}`);
  if (!copy) return 'next';
  const headers = ex.requestHeaders;
  delete headers[copy.switch.header];
  const cookie = cookiesForCopy(headers.cookie, copy);
  if (cookie === undefined) delete headers.cookie;
  else headers.cookie = cookie;
  return 'next';
}

function responsePass(ex: Exchange, response: ExchangeResponse): ExchangeResponse {
  const copy = ex.copy;
  const set = response.headers['set-cookie'];
  if (!copy || copy.first || !set) return response;
  response.headers['set-cookie'] = set.map((line) => prefixSetCookie(line, copy.name));
  return response;
}

/** The passes of a copy's routes (the route table adds them to copies and stable hosts only): first in the request table, so header rules and the cache see what the copy sees. */
export const COPY_PASSES: PassFactory = {
  name: 'copies',
  request: () => requestPass,
  response: () => responsePass,
};
