import type {Policy} from '../policy.js';
import {roundRobin} from './round-robin.js';

/** Keep a browser on the instance its cookie names; new browsers, or a dead instance, go weighted round-robin. */
export function sticky(): Policy {
  const fallback = roundRobin();
  return {
    select(ctx) {
      if (ctx.sticky && ctx.candidates.includes(ctx.sticky)) return ctx.sticky;
      return fallback.select(ctx);
    },
  };
}
