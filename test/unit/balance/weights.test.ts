import {describe, expect, it} from 'vitest';
import {Pool} from '../../../src/balance/pool.js';
import {random} from '../../../src/balance/policies/random.js';
import type {Upstream} from '../../../src/balance/upstream.js';
import {parseTarget} from '../../../src/routes/parse.js';
import type {Strategy} from '../../../src/routes/types.js';

function pool(strategy: Strategy, weights: number[]) {
  return new Pool({route: 'api.localhost', targets: weights.map((weight, i) => ({target: parseTarget(9001 + i), weight})), strategy});
}

/** Which instance (0, 1, ...) each of `n` picks went to. */
function picks(p: Pool, n: number, pick: () => Upstream | undefined = () => p.pick()): number[] {
  return Array.from({length: n}, () => p.upstreams.indexOf(pick()!));
}

function tally(seq: readonly number[], size: number): number[] {
  const out = Array.from({length: size}, () => 0);
  for (const i of seq) out[i]!++;
  return out;
}

describe('weights', () => {
  it('interleaves a 3:1 round-robin as nginx does (a b a a, not a a a b)', () => {
    expect(picks(pool('round-robin', [3, 1]), 8)).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    expect(tally(picks(pool('round-robin', [3, 1]), 4000), 2)).toEqual([3000, 1000]);
  });

  it('spreads 5:1:1 smoothly: never more than the heavy share in a row', () => {
    expect(picks(pool('round-robin', [5, 1, 1]), 7)).toEqual([0, 0, 1, 0, 2, 0, 0]);
  });

  it('gives no new request to a drained instance (weight 0), whatever the strategy', () => {
    for (const strategy of ['round-robin', 'least-conn', 'random', 'first', 'sticky'] as const) {
      expect(tally(picks(pool(strategy, [0, 1]), 50), 2), strategy).toEqual([0, 50]);
    }
  });

  it('picks nothing when every instance is drained, even as a last resort', () => {
    expect(pool('round-robin', [0, 0]).pick()).toBeUndefined();
  });

  it('draws random picks in proportion to the weights', () => {
    let seed = 7;
    const rng = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const p = pool('random', [3, 1]);
    const policy = random(rng);
    const seq = picks(p, 4000, () => policy.select({candidates: p.upstreams}));
    const [heavy] = tally(seq, 2);
    expect(Math.abs(heavy! - 3000)).toBeLessThan(120);
  });

  it('divides in-flight requests by weight for least-conn: a weight-3 instance takes three for one', () => {
    const p = pool('least-conn', [3, 1]);
    const seq = picks(p, 8, () => {
      const u = p.pick()!;
      p.begin(u);
      return u;
    });
    expect(tally(seq, 2)).toEqual([6, 2]);
  });

  it('sends new sticky browsers by weight and keeps a browser on its instance', () => {
    const p = pool('sticky', [3, 1]);
    expect(tally(picks(p, 400), 2)).toEqual([300, 100]);
    const light = p.upstreams[1]!;
    const cookie = p.stickyCookie(light)!.split(';')[0]!;
    expect(picks(p, 10, () => p.pick({cookie}))).toEqual(Array.from({length: 10}, () => 1));
  });

  it('takes a weight change at once and reports each weight', () => {
    const p = pool('round-robin', [1, 1]);
    p.update({route: 'api.localhost', targets: [{target: parseTarget(9001), weight: 9}, {target: parseTarget(9002)}], strategy: 'round-robin'});
    expect(tally(picks(p, 10), 2)).toEqual([9, 1]);
    expect(p.snapshot().map((t) => t.weight)).toEqual([9, 1]);
  });
});
