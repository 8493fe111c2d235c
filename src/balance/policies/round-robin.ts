import type {Policy} from '../policy.js';

/** Each available upstream in turn. */
export function roundRobin(): Policy {
  let next = 0;
  return {
    select({candidates}) {
      if (candidates.length === 0) return undefined;
      const chosen = candidates[next % candidates.length];
      next = (next + 1) % 1_000_000_007;
      return chosen;
    },
  };
}
