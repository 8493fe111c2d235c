import type {Policy} from '../policy.js';

export function random(rng: () => number = Math.random): Policy {
  return {
    select({candidates}) {
      return candidates.length === 0 ? undefined : candidates[Math.floor(rng() * candidates.length)];
    },
  };
}
