import {isIP} from 'node:net';
import {InputError} from '../errors.js';
import {parseTarget} from './parse.js';
import {routeKey, type Route} from './types.js';

/** Does `hostname` (as parseTarget normalises it) always reach this machine's loopback listeners? */
export function isLoopbackName(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.') || host === '0.0.0.0';
  if (isIP(host) === 6) {
    // ::1 in any spelling, the unspecified address, and IPv4-mapped 127/8.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
    if (mapped) return isLoopbackName(mapped);
    const groups = expand(host);
    return (groups?.slice(0, 7).every((g) => g === 0) ?? false) && (groups?.[7] === 1 || groups?.[7] === 0);
  }
  return false;
}

function expand(v6: string): number[] | undefined {
  const [head, tail] = v6.split('::') as [string, string | undefined];
  const a = head ? head.split(':') : [];
  const b = tail ? tail.split(':') : [];
  if (b.some((g) => g.includes('.')) || a.some((g) => g.includes('.'))) return undefined;
  const fill = tail === undefined ? [] : new Array<string>(8 - a.length - b.length).fill('0');
  const all = [...a, ...fill, ...b].map((g) => Number.parseInt(g || '0', 16));
  return all.length === 8 ? all : undefined;
}

/**
 * Refuse a route whose target is portico's own listener: an https target would loop (508) and an
 * http one on the TLS port gets the https redirect, forever (308 after 308). `ports` are the ports
 * portico listens on (the HTTPS port, and 80 when it holds it).
 */
export function refuseSelfTargets(route: Pick<Route, 'host' | 'path' | 'targets'>, ports: readonly number[]): void {
  for (const t of route.targets) {
    const target = parseTarget(t.url);
    if (ports.includes(target.port) && isLoopbackName(target.hostname)) {
      throw new InputError(
        `Target \`${t.url}\` of \`${routeKey(route)}\` is portico's own port ${target.port}: requests would come back through portico in a loop.`,
        {hint: "Point the route at your dev server's port, e.g. `portico add " + routeKey(route) + ' 5173`.'},
      );
    }
  }
}
