import {pathHasPrefix} from './path.js';

/** Anything with a host and a path prefix can be matched; the proxy matches its runtime routes. */
export interface Matchable {
  host: string;
  path: string;
}

/**
 * A lookup structure built once per route change, so that matching a request is one Map lookup
 * plus a scan of that host's few prefixes (longest first).
 */
export type RouteIndex<R extends Matchable> = ReadonlyMap<string, readonly R[]>;

export function indexRoutes<R extends Matchable>(routes: readonly R[]): RouteIndex<R> {
  const byHost = new Map<string, R[]>();
  for (const route of routes) {
    const list = byHost.get(route.host) ?? [];
    list.push(route);
    byHost.set(route.host, list);
  }
  for (const list of byHost.values()) list.sort((a, b) => b.path.length - a.path.length);
  return byHost;
}

/** Exact host, then the longest path prefix on a segment boundary. `host` must be lower-case without port. */
export function matchRoute<R extends Matchable>(index: RouteIndex<R>, host: string, path: string): R | undefined {
  const candidates = index.get(host);
  if (candidates === undefined) return undefined;
  for (const route of candidates) if (pathHasPrefix(path, route.path)) return route;
  return undefined;
}

/** The path to forward: with strip-prefix, `/api/users` under `/api` becomes `/users` (query kept). */
export function forwardPath(routePath: string, stripPrefix: boolean, pathAndQuery: string): string {
  if (!stripPrefix || routePath === '/') return pathAndQuery;
  const rest = pathAndQuery.slice(routePath.length);
  return rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
}
