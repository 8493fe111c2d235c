import {auth} from './auth.js';
import {cache} from './cache.js';
import {compress} from './compress.js';
import {cors} from './cors.js';
import {maxBody} from './max-body.js';
import {delay, drop, fail} from './faults.js';
import type {FrontDoorFeature, OptionKey} from './feature.js';
import {requestHeaders, responseHeaders} from './headers.js';
import {rateLimit} from './rate-limit.js';
import {timeout} from './timeout.js';

export type {ExportLoss, ExportTarget, FeatureFlag, FlagValues, FrontDoorFeature, OptionKey} from './feature.js';

/**
 * Every per-route option, in the order `add --help`, `ls`, the dashboard and `export` show them.
 * A new option is one module here and one line in this list (plus its passes in src/frontdoor/).
 */
export const FEATURES: readonly FrontDoorFeature[] = [
  auth,
  timeout,
  cache,
  compress,
  requestHeaders,
  responseHeaders,
  cors,
  rateLimit,
  delay,
  fail,
  drop,
  maxBody,
] as readonly FrontDoorFeature<OptionKey>[] as readonly FrontDoorFeature[];
