import {CAPTURE} from './capture.js';
import type {PassFactory} from './exchange.js';

/**
 * Every optional feature of the request pipeline, in the order its passes run. Each factory builds a
 * route's passes from its options (RouteEntry.route.options) and returns undefined when the route does
 * not use the feature, so a route without options runs no pass at all. Append new features here,
 * before CAPTURE: it records the response as the client gets it, so it stays last.
 */
export const FEATURES: PassFactory[] = [CAPTURE];
