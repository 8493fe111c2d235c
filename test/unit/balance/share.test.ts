import {describe, expect, it, vi} from 'vitest';
import {Pool, type HealthState} from '../../../src/balance/pool.js';
import {parseTarget} from '../../../src/routes/parse.js';
import type {HealthEvent} from '../../../src/traffic/event.js';

// One proxy in two processes (README "Workers"): the owner decides each target's health, the follower
// reports what its requests find and follows; wired here as the IPC between them does.
function pair(probeIntervalMs?: number) {
  let now = 1_000_000;
  const events: HealthEvent[] = [];
  const used: string[] = [];
  const targets = [{target: parseTarget(9001)}, {target: parseTarget(9002)}];
  const base = {route: 'api.localhost', targets, strategy: 'round-robin' as const, now: () => now, probeIntervalMs};
  const follower: Pool = new Pool({
    ...base,
    onHealth: (e) => events.push({...e, route: 'follower announced'}),
    share: {
      role: 'follower',
      observed: (_route, target, error) => owner.observe(target, error),
      used: (route) => {
        used.push(route);
        owner.markUsed();
      },
    },
  });
  const owner: Pool = new Pool({
    ...base,
    onHealth: (e) => events.push(e),
    share: {role: 'owner', changed: (_route, target, state: HealthState) => follower.apply(target, state)},
  });
  return {owner, follower, events, used, tick: (ms: number) => (now += ms)};
}

describe('health shared between processes', () => {
  it('announces once, from the owner, what a follower found; both then keep the target out', () => {
    const {owner, follower, events} = pair();
    const [a, b] = follower.upstreams;
    follower.reportFailure(a!, 'ECONNREFUSED');
    expect(events).toEqual([{type: 'health', time: 1_000_000, route: 'api.localhost', target: a!.target.url, healthy: false, error: 'ECONNREFUSED'}]);
    expect([owner.pick(), owner.pick()]).toEqual([owner.upstreams[1], owner.upstreams[1]]);
    expect([follower.pick(), follower.pick()]).toEqual([b, b]);
    // The follower's next failure is not news to the owner: no second event.
    follower.reportFailure(a!, 'ECONNREFUSED');
    expect(events).toHaveLength(1);
  });

  it('takes a target back for everyone when any process finds it answering', () => {
    const {owner, follower, events, tick} = pair();
    owner.reportFailure(owner.upstreams[0]!, 'ECONNRESET');
    expect(follower.upstreams[0]!.available(1_000_000)).toBe(false);
    tick(3000);
    follower.reportSuccess(follower.upstreams[0]!);
    expect(events.map((e) => e.healthy)).toEqual([false, true]);
    expect(owner.snapshot()[0]).toMatchObject({healthy: true});
    expect(follower.upstreams[0]!.lastError).toBeUndefined();
  });

  it('tells the owner a route is in use at most once per half probe interval, and never probes itself', async () => {
    const {follower, used, tick} = pair();
    const [a] = follower.upstreams;
    for (let i = 0; i < 100; i++) follower.begin(a!);
    expect(used).toEqual(['api.localhost']);
    tick(1000);
    follower.begin(a!);
    expect(used).toHaveLength(2);
    expect(follower.probingOnTraffic).toBe(false);
    // `ls` on a follower asks no probe (the owner's verdicts are pushed): no transport is needed.
    await expect(follower.probeIfStale(0)).resolves.toBeUndefined();
  });

  it('keeps telling the owner while a WebSocket stays open on the follower, and stops after it closes', () => {
    vi.useFakeTimers();
    try {
      const {follower, used, tick} = pair(2000);
      const [a] = follower.upstreams;
      follower.begin(a!); // a WebSocket: begun once, open for a long time
      expect(used).toHaveLength(1);
      for (let i = 0; i < 3; i++) {
        tick(2000);
        vi.advanceTimersByTime(2000);
      }
      expect(used).toHaveLength(4);
      follower.end(a!);
      tick(2000);
      vi.advanceTimersByTime(2000);
      // The tick that found nothing open stopped the timer: nothing more, and nothing left running.
      tick(10_000);
      vi.advanceTimersByTime(10_000);
      expect(used).toHaveLength(4);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('hands a starting follower the targets held down', () => {
    const {owner} = pair();
    owner.reportFailure(owner.upstreams[1]!, 'timeout');
    expect(owner.unhealthy()).toEqual([
      {target: owner.upstreams[1]!.target.url, state: {healthy: false, probeOk: true, downUntil: 1_002_000, failedAt: 1_000_000, lastError: 'timeout'}},
    ]);
  });
});
