import {describe, expect, it} from 'vitest';
import {faultsFeature, planFaults} from '../../../src/frontdoor/faults.js';
import {seededRandom} from '../../../src/frontdoor/random.js';
import {rateLimitFeature} from '../../../src/frontdoor/ratelimit.js';
import {backendResponse, fakeEntry, fakeExchange, runThrough} from '../../helpers/exchange.js';

describe('rate limit', () => {
  it('lets a burst through, then answers 429 with Retry-After and RateLimit fields, and refills with time', async () => {
    let clock = 0;
    const feature = rateLimitFeature({now: () => clock});
    const entry = fakeEntry({rateLimit: {perSecond: 2, burst: 3}});
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof runThrough>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await runThrough(feature, entry, fakeExchange({entry}), () => backendResponse(200, {}, 'ok'));
      statuses.push(last.response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last!.response.headers['retry-after']).toBe('1');
    expect(last!.response.headers['ratelimit-policy']).toBe('"portico";q=3;w=2');
    expect(last!.response.headers.ratelimit).toBe('"portico";r=0;t=2');
    clock += 500; // one token back
    expect((await runThrough(feature, entry, fakeExchange({entry}), () => backendResponse(200, {}))).response.status).toBe(200);
  });

  it('keeps a bucket per client address', async () => {
    const feature = rateLimitFeature({now: () => 0});
    const entry = fakeEntry({rateLimit: {perSecond: 1, burst: 1}});
    const one = fakeExchange({entry, client: '127.0.0.1'});
    await runThrough(feature, entry, one, () => backendResponse(200, {}));
    const limited = fakeExchange({entry, client: '127.0.0.1'});
    expect((await runThrough(feature, entry, limited, () => backendResponse(200, {}))).response.status).toBe(429);
    expect(limited.notes).toContain('rate-limited');
    expect((await runThrough(feature, entry, fakeExchange({entry, client: '::1'}), () => backendResponse(200, {}))).response.status).toBe(200);
  });
});

describe('fault injection', () => {
  it('fails the asked share of requests with the asked status, within a few percent over 1000 requests', async () => {
    const entry = fakeEntry({fail: {rate: 0.1, status: 503}});
    const feature = faultsFeature({random: seededRandom(7)});
    let failed = 0;
    for (let i = 0; i < 1000; i++) {
      const ex = fakeExchange({entry});
      const {response} = await runThrough(feature, entry, ex, () => backendResponse(200, {}));
      if (response.status === 503) {
        failed++;
        expect(ex.notes).toContain('injected: 503');
      }
    }
    expect(failed).toBeGreaterThan(70);
    expect(failed).toBeLessThan(130);
  });

  it('resets the connection for dropped requests and never asks the backend', async () => {
    const entry = fakeEntry({drop: {rate: 1}});
    const ex = fakeExchange({entry});
    const {backendCalled} = await runThrough(faultsFeature({random: seededRandom(1)}), entry, ex, () => backendResponse(200, {}));
    expect(backendCalled).toBe(false);
    expect(ex.dropped).toBe(true);
  });

  it('waits a delay within the asked range before the backend', async () => {
    const entry = fakeEntry({delay: {minMs: 300, maxMs: 1000}});
    const waited: number[] = [];
    const feature = faultsFeature({random: seededRandom(3), sleep: async (ms) => void waited.push(ms)});
    for (let i = 0; i < 50; i++) await runThrough(feature, entry, fakeExchange({entry}), () => backendResponse(200, {}));
    expect(waited).toHaveLength(50);
    expect(Math.min(...waited)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...waited)).toBeLessThanOrEqual(1000);
    // Spread over the range, not stuck at one end: each third of 300-1000 ms gets some of the 50.
    const thirds = [0, 0, 0];
    for (const ms of waited) thirds[Math.min(2, Math.floor(((ms - 300) / 700) * 3))]!++;
    for (const count of thirds) expect(count).toBeGreaterThan(5);
    expect(new Set(waited).size).toBeGreaterThan(25);
  });

  it('repeats exactly the same faults for the same seed', () => {
    const plan = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({length: 20}, () => planFaults({fail: {rate: 0.3, status: 500}, drop: {rate: 0.1}}, random));
    };
    expect(plan(42)).toEqual(plan(42));
    // And another seed gives other faults, so the seed is what decides them.
    expect(plan(43)).not.toEqual(plan(42));
  });

  it('spreads failures over the requests, and two seeds fail different requests', async () => {
    const entry = fakeEntry({fail: {rate: 0.1, status: 503}});
    const failedAt = async (seed: number) => {
      const feature = faultsFeature({random: seededRandom(seed)});
      const at: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const {response} = await runThrough(feature, entry, fakeExchange({entry}), () => backendResponse(200, {}));
        if (response.status === 503) at.push(i);
      }
      return at;
    };
    const [a, b] = [await failedAt(7), await failedAt(8)];
    // Each tenth of the run gets failures of its own (about 10 each): not all at the start or the end.
    const tenths = Array.from({length: 10}, (_, k) => a.filter((i) => Math.floor(i / 100) === k).length);
    for (const count of tenths) expect(count).toBeGreaterThan(0);
    expect(a).not.toEqual(b);
  });
});
