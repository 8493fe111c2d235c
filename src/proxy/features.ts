import {frontDoorFeatures} from '../frontdoor/index.js';
import {CAPTURE} from './capture.js';
import type {PassFactory} from '../pipeline/exchange.js';

const frontDoor = frontDoorFeatures();

/**
 * Every optional feature of the request pipeline, in the order its passes run. Each factory builds a
 * route's passes from its options (RouteEntry.route.options) and returns undefined when the route does
 * not use the feature, so a route without options runs no pass at all. Append new features here,
 * before CAPTURE: it records the response as the client gets it, so it stays last.
 *
 * The front door (issue 18) comes as request halves (rate limit -> faults -> CORS preflight -> request
 * headers -> cache lookup) and response halves (cache store -> CORS -> response headers -> RateLimit
 * fields -> compression): see src/frontdoor/index.ts for why that order.
 */
export const FEATURES: PassFactory[] = [...frontDoor.request, ...frontDoor.response, CAPTURE];
