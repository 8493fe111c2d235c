import {CacheStore} from './cache-store.js';

/** A route's cache: its store and the misses now on their way to the backend (for collapsing). */
export interface RouteCache {
  readonly store: CacheStore;
  /** Primary key -> settles when the leading miss has been stored (or found not storable). */
  readonly inflight: Map<string, Promise<void>>;
}

/**
 * Every route's cache, by route key. Built by the daemon, which hands it to the cache feature and to `POST /cache/clear`, and
 * kept across route table updates: changing a route's targets does not throw its cache away.
 */
export class CacheRegistry {
  private readonly caches = new Map<string, RouteCache>();

  /** The route's cache, created on first use and resized when the route's bound changed. */
  cacheFor(routeKey: string, maxBytes: number): RouteCache {
    let cache = this.caches.get(routeKey);
    if (!cache) {
      cache = {store: new CacheStore(maxBytes), inflight: new Map()};
      this.caches.set(routeKey, cache);
    } else cache.store.resize(maxBytes);
    return cache;
  }

  /** Forget the caches of routes that are gone or no longer cache. */
  retain(routeKeys: ReadonlySet<string>): void {
    for (const key of this.caches.keys()) if (!routeKeys.has(key)) this.caches.delete(key);
  }

  /** Empty one route's cache, or every cache; says what went, per route. */
  clear(routeKey?: string): Array<{route: string; responses: number; bytes: number}> {
    const keys = routeKey === undefined ? [...this.caches.keys()] : this.caches.has(routeKey) ? [routeKey] : [];
    return keys.map((route) => ({route, ...this.caches.get(route)!.store.clear()}));
  }
}
