import type {Policy} from '../policy.js';

/** Fail-over in order: the first available upstream, the next only while it is down. */
export function first(): Policy {
  return {
    select({candidates}) {
      return candidates[0];
    },
  };
}
