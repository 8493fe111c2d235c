import {describe, expect, it} from 'vitest';
import {Pool} from '../../../src/balance/pool.js';
import type {Upstream} from '../../../src/balance/upstream.js';
import {parseTarget} from '../../../src/routes/parse.js';
import type {Strategy} from '../../../src/routes/types.js';
import type {HealthEvent} from '../../../src/traffic/event.js';

function pool(strategy: Strategy, options: {now?: () => number; onHealth?: (e: HealthEvent) => void} = {}) {
  return new Pool({route: 'api.localhost', targets: [9001, 9002, 9003].map((p) => ({target: parseTarget(p)})), strategy, ...options});
}

function counts(p: Pool, picks: number, pickOne: () => Upstream | undefined = () => p.pick()): number[] {
  const seen = new Map<Upstream, number>();
  for (let i = 0; i < picks; i++) {
    const u = pickOne()!;
    seen.set(u, (seen.get(u) ?? 0) + 1);
  }
  return p.upstreams.map((u) => seen.get(u) ?? 0);
}

describe('round-robin', () => {
  it('splits 300 requests 100/100/100', () => {
    expect(counts(pool('round-robin'), 300)).toEqual([100, 100, 100]);
  });

  it('skips an instance in cool-off and takes it back afterwards', () => {
    let now = 1000;
    const p = pool('round-robin', {now: () => now});
    p.reportFailure(p.upstreams[1]!, 'ECONNREFUSED');
    expect(counts(p, 100)).toEqual([50, 0, 50]);
    now += 2500;
    expect(counts(p, 300)).toEqual([100, 100, 100]);
  });
});

describe('least-conn', () => {
  it('prefers the instance with the fewest requests in flight', () => {
    const p = pool('least-conn');
    p.begin(p.upstreams[0]!);
    p.begin(p.upstreams[0]!);
    p.begin(p.upstreams[1]!);
    expect(p.pick()).toBe(p.upstreams[2]);
    p.begin(p.upstreams[2]!);
    // Now 2/1/1 in flight: never the busiest.
    for (let i = 0; i < 10; i++) expect(p.pick()).not.toBe(p.upstreams[0]);
  });

  it('shares equally among equally idle instances', () => {
    expect(counts(pool('least-conn'), 300)).toEqual([100, 100, 100]);
  });
});

describe('first', () => {
  it('fails over in order and returns to the first when it is back', () => {
    let now = 0;
    const p = pool('first', {now: () => now});
    expect(counts(p, 10)).toEqual([10, 0, 0]);
    p.reportFailure(p.upstreams[0]!, 'ECONNREFUSED');
    expect(counts(p, 10)).toEqual([0, 10, 0]);
    p.reportFailure(p.upstreams[1]!, 'ECONNREFUSED');
    expect(counts(p, 10)).toEqual([0, 0, 10]);
    now += 5000;
    expect(counts(p, 10)).toEqual([10, 0, 0]);
  });
});

describe('random', () => {
  it('reaches every instance', () => {
    for (const n of counts(pool('random'), 300)) expect(n).toBeGreaterThan(50);
  });
});

describe('sticky', () => {
  it('keeps a browser with the cookie on one instance for 20 requests', () => {
    const p = pool('sticky');
    const first = p.pick()!;
    const cookie = p.stickyCookie(first)!;
    expect(cookie).toMatch(/^portico_[0-9a-f]{8}=[\w-]{12}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const header = `theme=dark; ${cookie.split(';')[0]}; other=1`;
    expect(counts(p, 20, () => p.pick({cookie: header}))[p.upstreams.indexOf(first)]).toBe(20);
  });

  it('moves the browser to another instance when its instance is down', () => {
    const p = pool('sticky');
    const first = p.pick()!;
    const header = p.stickyCookie(first)!.split(';')[0]!;
    p.reportFailure(first, 'ECONNREFUSED');
    const next = p.pick({cookie: header})!;
    expect(next).not.toBe(first);
    expect(p.hasStickyCookie(header, next)).toBe(false);
  });

  it('takes only its own cookie, not one whose name merely contains it', () => {
    const p = pool('sticky');
    const first = p.pick()!;
    const [name, value] = p.stickyCookie(first)!.split(';')[0]!.split('=');
    for (const header of [`x${name}=${value}`, `${name}x=${value}`, `other=${name}=${value}`]) {
      expect(p.hasStickyCookie(header, first), header).toBe(false);
    }
    expect(p.hasStickyCookie(`x${name}=nothing; ${name}=${value}`, first)).toBe(true);
    expect(p.hasStickyCookie(`${name}=${value};theme=dark`, first)).toBe(true);
  });

  it('sets no cookie on routes of other strategies', () => {
    const p = pool('round-robin');
    expect(p.stickyCookie(p.upstreams[0]!)).toBeUndefined();
  });
});

describe('the pool', () => {
  it('never picks an instance already tried for the same request', () => {
    const p = pool('round-robin');
    const tried = new Set([p.upstreams[0]!, p.upstreams[1]!]);
    for (let i = 0; i < 5; i++) expect(p.pick({exclude: tried})).toBe(p.upstreams[2]);
    tried.add(p.upstreams[2]!);
    expect(p.pick({exclude: tried})).toBeUndefined();
  });

  it('still tries the least recently failed instance when all are down', () => {
    let now = 0;
    const p = pool('round-robin', {now: () => now});
    p.reportFailure(p.upstreams[0]!, 'ECONNREFUSED');
    now = 10;
    p.reportFailure(p.upstreams[1]!, 'ECONNREFUSED');
    now = 20;
    p.reportFailure(p.upstreams[2]!, 'ECONNREFUSED');
    expect(p.pick()).toBe(p.upstreams[0]);
  });

  it('announces a health change once, not on every failure', () => {
    const events: HealthEvent[] = [];
    const p = pool('round-robin', {onHealth: (e) => events.push(e)});
    p.reportFailure(p.upstreams[0]!, 'ECONNREFUSED');
    p.reportFailure(p.upstreams[0]!, 'ECONNREFUSED');
    p.reportSuccess(p.upstreams[0]!);
    expect(events.map((e) => [e.target, e.healthy, e.error])).toEqual([
      ['http://localhost:9001', false, 'ECONNREFUSED'],
      ['http://localhost:9001', true, undefined],
    ]);
  });

  it('keeps counts and health of targets that stay when the route changes', () => {
    const p = pool('round-robin');
    p.begin(p.upstreams[0]!);
    p.reportFailure(p.upstreams[1]!, 'ECONNREFUSED');
    p.update({route: 'api.localhost', targets: [9001, 9002, 9004].map((port) => ({target: parseTarget(port)})), strategy: 'least-conn'});
    expect(p.upstreams.map((u) => u.target.port)).toEqual([9001, 9002, 9004]);
    expect(p.upstreams[0]!.requests).toBe(1);
    expect(p.upstreams[1]!.lastError).toBe('ECONNREFUSED');
    expect(p.upstreams[2]!.requests).toBe(0);
  });

  it('reports each target in ls form', () => {
    const p = pool('round-robin');
    p.begin(p.upstreams[0]!);
    p.reportFailure(p.upstreams[2]!, 'ECONNREFUSED');
    expect(p.snapshot()).toEqual([
      {target: 'http://localhost:9001', healthy: true, active: 1, requests: 1, weight: 1},
      {target: 'http://localhost:9002', healthy: true, active: 0, requests: 0, weight: 1},
      {target: 'http://localhost:9003', healthy: false, active: 0, requests: 0, weight: 1, lastError: 'ECONNREFUSED'},
    ]);
  });
});
