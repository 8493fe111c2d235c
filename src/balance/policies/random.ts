import type {Policy} from '../policy.js';

/** A random candidate, each as likely as its share of the candidates' total weight. */
export function random(rng: () => number = Math.random): Policy {
  return {
    select({candidates}) {
      let total = 0;
      for (const u of candidates) total += u.weight;
      let point = rng() * total;
      for (const u of candidates) {
        point -= u.weight;
        if (point < 0) return u;
      }
      return candidates.at(-1);
    },
  };
}
