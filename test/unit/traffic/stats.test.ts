import {describe, expect, it} from 'vitest';
import {RingBuffer} from '../../../src/traffic/ring.js';
import {RollingStats, sparkline} from '../../../src/traffic/stats.js';

describe('rolling stats', () => {
  it('report rate over 5 s, p50/p95 latency and errors over the window', () => {
    const stats = new RollingStats(60);
    const t0 = 1_000_000;
    for (let s = 0; s < 10; s++) for (let i = 0; i < 20; i++) stats.add(t0 + s * 1000, i < 19 ? 4 : 400, i === 0);
    const snap = stats.snapshot(t0 + 9 * 1000);
    expect(snap.count).toBe(200);
    expect(snap.rate).toBe(20);
    expect(snap.p50).toBe(5);
    expect(snap.p95).toBe(5);
    expect(snap.errors).toBe(10);
    expect(snap.series.slice(-10)).toEqual(Array(10).fill(20));
  });

  it('forget seconds that left the window', () => {
    const stats = new RollingStats(10);
    stats.add(0, 1, false);
    expect(stats.snapshot(0).count).toBe(1);
    expect(stats.snapshot(11_000).count).toBe(0);
  });

  it('draw a sparkline scaled to its maximum', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe(' ▁▂▄█');
  });
});

describe('the ring buffer', () => {
  it('keeps the newest items, oldest first, in fixed memory', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.length).toBe(3);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
  });
});
