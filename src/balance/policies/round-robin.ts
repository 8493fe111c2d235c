import type {Policy} from '../policy.js';
import type {Upstream} from '../upstream.js';

/**
 * Smooth weighted round-robin, as nginx does it: every pick adds each candidate's weight to its
 * running score, takes the highest and subtracts the total from it. Equal weights give plain turns;
 * 3:1 gives a b a a, a b a a..., never three in a row of the heavier one then a burst of the lighter.
 */
export function roundRobin(): Policy {
  const score = new WeakMap<Upstream, number>();
  return {
    select({candidates}) {
      let total = 0;
      let best: Upstream | undefined;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const u of candidates) {
        const current = (score.get(u) ?? 0) + u.weight;
        score.set(u, current);
        total += u.weight;
        if (current > bestScore) {
          best = u;
          bestScore = current;
        }
      }
      if (best) score.set(best, bestScore - total);
      return best;
    },
  };
}
