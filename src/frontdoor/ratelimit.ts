import {Readable} from 'node:stream';
import type {Exchange, ExchangeResponse, PassFactory} from '../pipeline/exchange.js';

/** A token bucket: `burst` capacity, refilled at `perSecond`. */
export interface Bucket {
  tokens: number;
  /** Milliseconds (clock of the limiter) of the last refill. */
  at: number;
}

export interface Limit {
  perSecond: number;
  burst: number;
}

/** Refill for the time passed, then take one token if there is one. Pure but for the bucket it updates. */
export function take(bucket: Bucket, limit: Limit, now: number): boolean {
  bucket.tokens = Math.min(limit.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * limit.perSecond);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/** Seconds until the next token (for `Retry-After`), and until the bucket is full again. */
export function waits(bucket: Bucket, limit: Limit): {retryAfter: number; reset: number} {
  return {
    retryAfter: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond)),
    reset: Math.max(0, Math.ceil((limit.burst - bucket.tokens) / limit.perSecond)),
  };
}

/** The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): the policy, and where this client stands. */
export function rateLimitHeaders(bucket: Bucket, limit: Limit): Record<string, string> {
  const window = Math.max(1, Math.ceil(limit.burst / limit.perSecond));
  return {
    'ratelimit-policy': `"portico";q=${limit.burst};w=${window}`,
    ratelimit: `"portico";r=${Math.floor(bucket.tokens)};t=${waits(bucket, limit).reset}`,
  };
}

/** Buckets kept per client before idle ones (full again) are swept. */
const SWEEP_AT = 10_000;

export interface RateLimitFeatureOptions {
  /** Milliseconds, monotonic. Default performance.now. */
  now?: () => number;
}

/**
 * `--rate-limit N/s`: a token bucket per client address and route. Over the limit: 429 with
 * `Retry-After` and the RateLimit fields, without reaching the backend; every response on the route
 * carries the RateLimit fields so a client can slow down before it is refused.
 */
export function rateLimitFeature(options: RateLimitFeatureOptions = {}): PassFactory {
  const now = options.now ?? (() => performance.now());
  // Per route key, so buckets survive route table updates.
  const routes = new Map<string, Map<string, Bucket>>();
  const seen = new WeakMap<Exchange, {bucket: Bucket; limit: Limit}>();
  return {
    name: 'rate-limit',
    shared: true,
    request(entry) {
      const limit = entry.route.options?.rateLimit;
      if (!limit) return undefined;
      let buckets = routes.get(entry.key);
      if (!buckets) routes.set(entry.key, (buckets = new Map()));
      const clients = buckets;
      return (ex) => {
        const t = now();
        let bucket = clients.get(ex.client);
        if (!bucket) {
          if (clients.size >= SWEEP_AT) sweep(clients, limit, t);
          bucket = {tokens: limit.burst, at: t};
          clients.set(ex.client, bucket);
        }
        seen.set(ex, {bucket, limit});
        if (take(bucket, limit, t)) return 'next';
        ex.notes.push('rate-limited');
        ex.respond(tooManyRequests(bucket, limit));
        return 'answered';
      };
    },
    response(entry) {
      if (!entry.route.options?.rateLimit) return undefined;
      return (ex, res) => {
        const state = seen.get(ex);
        if (state) Object.assign(res.headers, rateLimitHeaders(state.bucket, state.limit));
        return res;
      };
    },
  };
}

function sweep(clients: Map<string, Bucket>, limit: Limit, now: number): void {
  for (const [client, bucket] of clients) {
    if (bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond >= limit.burst) clients.delete(client);
  }
}

export function tooManyRequests(bucket: Bucket, limit: Limit): ExchangeResponse {
  const {retryAfter} = waits(bucket, limit);
  const text = `429 Too Many Requests: portico limits this route to ${+limit.perSecond.toFixed(3)} requests a second per client (burst ${limit.burst}); retry after ${retryAfter} s.\n`;
  return {
    status: 429,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'retry-after': String(retryAfter),
      'cache-control': 'no-store',
      ...rateLimitHeaders(bucket, limit),
    },
    body: Readable.from([Buffer.from(text)]),
    source: 'portico',
  };
}
