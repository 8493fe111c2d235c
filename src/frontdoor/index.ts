import type {PassFactory} from '../pipeline/exchange.js';
import {authFeature, type AuthFeatureOptions} from './auth.js';
import {cacheFeature, type CacheFeatureOptions} from './cache.js';
import {compressFeature} from './compress.js';
import {corsFeature, type CorsFeatureOptions} from './cors.js';
import {faultsFeature, type FaultFeatureOptions} from './faults.js';
import {headersFeature} from './headers.js';
import {maxBodyFeature} from './max-body.js';
import {rateLimitFeature, type RateLimitFeatureOptions} from './ratelimit.js';

export interface FrontDoorOptions extends CacheFeatureOptions, FaultFeatureOptions, RateLimitFeatureOptions, AuthFeatureOptions, CorsFeatureOptions {}

const requestHalf = (f: PassFactory, name = f.name): PassFactory => ({name, ...(f.shared ? {shared: true} : {}), ...(f.request ? {request: f.request} : {})});
const responseHalf = (f: PassFactory, name = f.name): PassFactory => ({
  name,
  ...(f.shared ? {shared: true} : {}),
  ...(f.response ? {response: f.response} : {}),
});

/**
 * The front-door features as pass tables, in the order they must run. Request: the access gate (an
 * unauthenticated request does nothing else) -> body limit -> rate limit (cheapest refusal next) -> faults -> CORS preflight -> request header rules -> cache lookup. Response: cache
 * store (the backend's response as sent, before anything per-client is added) -> CORS -> response
 * header rules (the user's word is last) -> RateLimit fields -> compression (per client, so the cache
 * keeps one identity copy and encodes it for each client).
 *
 * A feature with both halves is split so each half sits at its own place; the halves share state.
 * The daemon builds this list once, with its cache registry, and hands it to startProxy; a test builds
 * its own.
 */
export function frontDoorFeatures(options: FrontDoorOptions): PassFactory[] {
  const rateLimit = rateLimitFeature(options);
  const faults = faultsFeature(options);
  const cors = corsFeature(options);
  const headers = headersFeature();
  const cache = cacheFeature(options);
  const compress = compressFeature();
  return [
    authFeature(options),
    requestHalf(maxBodyFeature()),
    ...[rateLimit, faults, cors, headers, cache].map((f) => requestHalf(f)),
    ...[cache, cors, headers, rateLimit, compress].map((f) => responseHalf(f)),
  ];
}
