import type {Policy} from '../policy.js';
import {roundRobin} from './round-robin.js';

/**
 * Fewest in-flight requests per unit of weight (an instance of weight 3 takes three for one), as
 * nginx's least_conn does; ties go weighted round-robin so equal instances share the load.
 */
export function leastConn(): Policy {
  const tieBreak = roundRobin();
  return {
    select({candidates}) {
      let fewest = Number.POSITIVE_INFINITY;
      for (const u of candidates) fewest = Math.min(fewest, u.active / u.weight);
      return tieBreak.select({candidates: candidates.filter((u) => u.active / u.weight === fewest)});
    },
  };
}
