import type {Policy} from '../policy.js';
import {roundRobin} from './round-robin.js';

/** Fewest in-flight requests; ties go round-robin so equal instances share the load. */
export function leastConn(): Policy {
  const tieBreak = roundRobin();
  return {
    select({candidates}) {
      let fewest = Number.POSITIVE_INFINITY;
      for (const u of candidates) fewest = Math.min(fewest, u.active);
      return tieBreak.select({candidates: candidates.filter((u) => u.active === fewest)});
    },
  };
}
