import {UserError} from '../errors.js';
import type {CacheRegistry} from '../frontdoor/cache-registry.js';
import {parseRouteSpec} from '../routes/parse.js';
import {routeKey, type Route} from '../routes/types.js';
import type {CacheClearRequest, CacheClearResult} from './protocol.js';

/** `POST /cache/clear`: one route's cache (it must exist and cache), or every route's. */
export function clearCache(routes: readonly Route[], registry: CacheRegistry, request: CacheClearRequest | undefined): CacheClearResult {
  if (request?.spec === undefined) {
    // Every caching route is named, even one whose cache has not been used yet.
    const cleared = new Map(registry.clear().map((c) => [c.route, c]));
    const caching = routes.filter((r) => r.options?.cache).map(routeKey);
    return {cleared: caching.map((route) => cleared.get(route) ?? {route, responses: 0, bytes: 0})};
  }
  const key = routeKey(
    parseRouteSpec(
      request.spec,
      routes.map((r) => r.host),
    ),
  );
  const route = routes.find((r) => routeKey(r) === key);
  if (!route) throw new UserError(`No route \`${key}\` to clear the cache of.`, {hint: 'See the routes with `portico ls`.'});
  if (!route.options?.cache)
    throw new UserError(`Route \`${key}\` does not cache.`, {
      hint: `Turn caching on with \`portico add ${key} ${route.targets[0]?.url ?? 'TARGET'} --cache\`.`,
    });
  const cleared = registry.clear(key);
  return {cleared: cleared.length > 0 ? cleared : [{route: key, responses: 0, bytes: 0}]};
}

/** Routes that stop caching (or go) give their memory back. */
export function retainCaches(routes: readonly Route[], registry: CacheRegistry): void {
  registry.retain(new Set(routes.filter((r) => r.options?.cache).map(routeKey)));
}
