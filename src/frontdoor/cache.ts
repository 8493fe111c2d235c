import type {IncomingHttpHeaders} from 'node:http';
import {Transform} from 'node:stream';
import CachePolicy from 'http-cache-semantics';
import type {Exchange, ExchangeResponse, PassFactory, RequestPass, ResponsePass, RouteEntry} from '../pipeline/exchange.js';
import {answerFromCache, cacheKey, isStorable, POLICY_OPTIONS, policyRequest, policyResponse, storedSize, variantOf, withCacheStatus} from './cache-http.js';
import type {CacheRegistry, RouteCache} from './cache-registry.js';
import type {CachedResponse} from './cache-store.js';
import {keepTrailers} from './trailers.js';

export interface CacheFeatureOptions {
  /** Where the route caches live (the daemon's, so `portico cache clear` reaches them). */
  registry: CacheRegistry;
  /** How long a collapsed miss waits for the leader's response before going to the backend itself. Default 10 s. */
  collapseMs?: number;
}

/** What the request pass decided, for the response pass of the same exchange. */
interface Pending {
  cache: RouteCache;
  key: string;
  /** The request as the client sent it (before validators were added for revalidation). */
  request: CachePolicy.Request;
  /** A stale stored response being revalidated with its validators. */
  revalidating?: CachedResponse;
  /** This miss leads: others for the same key wait for it; call when it is stored or found not storable. */
  settle?: () => void;
  collapsed?: boolean;
}

const UNSAFE = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * `--cache`: a shared HTTP cache (RFC 9111 via http-cache-semantics), per route, in memory.
 * Request pass: serve a fresh stored response (`Cache-Status: portico; hit`), or set the stored
 * validators on the request to revalidate a stale one, or wait for an identical miss already on its
 * way (collapsing). Response pass: a 304 from the backend refreshes and serves the stored response;
 * a storable response is stored as it streams to the client.
 */
export function cacheFeature(options: CacheFeatureOptions): PassFactory {
  const registry = options.registry;
  const collapseMs = options.collapseMs ?? 10_000;
  const pending = new WeakMap<Exchange, Pending>();

  const request = (entry: RouteEntry): RequestPass | undefined => {
    const bound = entry.route.options?.cache;
    if (!bound) return undefined;
    const cache = registry.cacheFor(entry.key, bound.maxBytes);
    return async (ex) => {
      // A WebSocket handshake is never a cached answer (README "WebSockets").
      if (ex.websocket) return 'next';
      // Only GET is stored and served (a HEAD goes to the backend as it is: http-cache-semantics
      // matches entries by method, and a HEAD answer has no body to store).
      if (ex.method !== 'GET') {
        if (UNSAFE.has(ex.method)) pending.set(ex, {cache, key: cacheKey(ex), request: policyRequest(ex)});
        return 'next';
      }
      const key = cacheKey(ex);
      const req = policyRequest(ex);
      let state = lookup(cache, key, req);
      let collapsed = false;
      const leader = cache.inflight.get(key);
      if (!state.fresh && leader && !ex.requestHeaders.authorization) {
        // Another client's identical miss is on its way: wait for its response instead of a second trip.
        await waitFor(leader, collapseMs);
        if (ex.aborted) return 'answered';
        state = lookup(cache, key, req);
        collapsed = true;
      }
      if (state.fresh) {
        ex.notes.push('cache: hit');
        ex.respond(answerFromCache(ex, state.fresh, collapsed ? 'fwd=miss; collapsed' : `hit; ttl=${Math.floor(state.fresh.policy.timeToLive() / 1000)}`));
        return 'answered';
      }
      const own: Pending = {cache, key, request: req, collapsed};
      if (state.stale) {
        own.revalidating = state.stale;
        // Only the validators change: the request's other headers (HTTP/2 pseudo-headers too) stay as sent.
        const headers = state.stale.policy.revalidationHeaders(req);
        for (const name of ['if-none-match', 'if-modified-since']) {
          if (headers[name] === undefined) delete ex.requestHeaders[name];
          else ex.requestHeaders[name] = String(headers[name]);
        }
      }
      if (!cache.inflight.has(key)) {
        own.settle = lead(cache, key, collapseMs);
        // The leader's client may leave before any answer: the ones waiting for it go on at once.
        ex.whenDone?.(own.settle);
      }
      pending.set(ex, own);
      return 'next';
    };
  };

  const response = (entry: RouteEntry): ResponsePass | undefined => {
    if (!entry.route.options?.cache) return undefined;
    return (ex, res) => {
      const own = pending.get(ex);
      if (!own || res.source === 'cache') return res;
      pending.delete(ex);
      if (UNSAFE.has(ex.method)) {
        // RFC 9111 §4.4: a successful unsafe request invalidates what is stored for its URL.
        if (res.status < 400) own.cache.store.invalidate(own.key);
        return res;
      }
      try {
        return store(ex, res, own);
      } catch (error) {
        own.settle?.();
        throw error;
      }
    };
  };

  return {name: 'cache', shared: true, request, response};
}

/** A fresh variant to serve, or a stale one that has validators to revalidate with. */
function lookup(cache: RouteCache, key: string, req: CachePolicy.Request): {fresh?: CachedResponse; stale?: CachedResponse} {
  let stale: CachedResponse | undefined;
  for (const variant of cache.store.variants(key)) {
    if (variant.policy.satisfiesWithoutRevalidation(req)) return {fresh: variant};
    const headers = variant.policy.responseHeaders();
    if (!stale && variantOf(req, headers) === variant.variant && (headers.etag || headers['last-modified'])) stale = variant;
  }
  return {stale};
}

function waitFor(leader: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([leader, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

/** Mark a miss as the one others wait for; it settles when done, or after `ms` whatever happened to it. */
function lead(cache: RouteCache, key: string, ms: number): () => void {
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  cache.inflight.set(key, done);
  const timer = setTimeout(() => settle(), ms);
  timer.unref();
  void done.then(() => {
    clearTimeout(timer);
    if (cache.inflight.get(key) === done) cache.inflight.delete(key);
  });
  return settle;
}

function store(ex: Exchange, res: ExchangeResponse, own: Pending): ExchangeResponse {
  const {cache, key, request, revalidating} = own;
  const settle = own.settle ?? (() => {});
  if (revalidating && res.status === 304 && res.source === 'backend') {
    const {policy, modified} = revalidating.policy.revalidatedPolicy(request, policyResponse(res));
    if (!modified) {
      res.body.resume();
      const refreshed: CachedResponse = {...revalidating, policy};
      cache.store.put(key, refreshed, revalidating);
      settle();
      ex.notes.push('cache: revalidated');
      // The client's own validators decide between 200 and 304, not the ones portico added.
      return answerFromCache({method: ex.method, requestHeaders: request.headers as IncomingHttpHeaders}, refreshed, 'fwd=stale; fwd-status=304; stored');
    }
  }
  const fwd = `${revalidating ? 'fwd=stale' : own.collapsed ? 'fwd=miss; collapsed' : 'fwd=miss'}${revalidating ? `; fwd-status=${res.status}` : ''}`;
  const policy = new CachePolicy(request, policyResponse(res), POLICY_OPTIONS);
  const length = Number(res.headers['content-length'] ?? 0);
  if (res.source !== 'backend' || ex.method !== 'GET' || !isStorable(policy, res) || length > cache.store.maxEntryBytes) {
    withCacheStatus(res.headers, fwd);
    settle();
    return res;
  }
  withCacheStatus(res.headers, `${fwd}; stored`);
  ex.notes.push('cache: stored');
  const headers = policy.responseHeaders();
  const variant = variantOf(request, res.headers);
  const source = res.body;
  source.once('end', () => keepTrailers(res, source));
  res.body = recordBody(source, cache.store.maxEntryBytes, (body) => {
    if (body) cache.store.put(key, {policy, status: res.status, body, size: storedSize(body, headers as never), variant}, revalidating);
    settle();
  });
  return res;
}

/** Pass the body on unchanged while keeping a copy (up to `limit` bytes); `done` gets it whole, or undefined. */
function recordBody(body: NodeJS.ReadableStream, limit: number, done: (body: Buffer | undefined) => void): Transform {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (result: Buffer | undefined) => {
    if (finished) return;
    finished = true;
    done(result);
  };
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (size <= limit) {
        size += chunk.length;
        if (size <= limit) chunks.push(chunk);
        else chunks.length = 0;
      }
      callback(null, chunk);
    },
    flush(callback) {
      finish(size <= limit ? Buffer.concat(chunks) : undefined);
      callback();
    },
  });
  // A body cut short (backend reset, client gone) is never stored.
  out.on('close', () => finish(undefined));
  body.on('error', (error) => out.destroy(error));
  body.pipe(out);
  return out;
}
