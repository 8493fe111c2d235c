/** A random source in [0, 1): Math.random, or a seeded one so a test sees the same faults every run. */
export type Random = () => number;

/** mulberry32: small, fast, and good enough to decide which requests get a fault. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `PORTICO_FAULT_SEED=42` makes the daemon's injected faults repeatable (tests, demos); else Math.random. */
export function randomFromEnv(env: NodeJS.ProcessEnv = process.env): Random {
  const seed = env.PORTICO_FAULT_SEED;
  return seed !== undefined && /^\d+$/.test(seed) ? seededRandom(Number(seed)) : Math.random;
}
