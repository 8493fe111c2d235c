/**
 * Rolling per-key request stats over the last `windowSeconds`, in 1-second buckets, updated
 * incrementally (O(1) per event): rate, error count, and p50/p95 latency from a small log-scale
 * histogram per bucket (no sorting of samples), plus a per-second series for sparklines.
 */
const BOUNDS = [1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120, 200, 300, 500, 800, 1200, 2000, 3000, 5000, 10_000, Number.POSITIVE_INFINITY];

interface Bucket {
  second: number;
  count: number;
  errors: number;
  histogram: Uint32Array;
}

export interface StatsSnapshot {
  /** Requests per second over the last 5 seconds. */
  rate: number;
  /** Latency percentiles in ms over the window (bucket upper bounds). */
  p50: number;
  p95: number;
  /** Errors (status >= 500 or failed) in the window. */
  errors: number;
  /** Requests in the window. */
  count: number;
  /** Requests per second, oldest first, `windowSeconds` long. */
  series: number[];
}

export class RollingStats {
  private readonly buckets: Bucket[];

  constructor(private readonly windowSeconds = 60) {
    this.buckets = Array.from({length: windowSeconds}, () => ({second: -1, count: 0, errors: 0, histogram: new Uint32Array(BOUNDS.length)}));
  }

  private bucket(second: number): Bucket {
    const b = this.buckets[second % this.windowSeconds]!;
    if (b.second !== second) {
      b.second = second;
      b.count = 0;
      b.errors = 0;
      b.histogram.fill(0);
    }
    return b;
  }

  add(timeMs: number, durationMs: number, error: boolean): void {
    const b = this.bucket(Math.floor(timeMs / 1000));
    b.count++;
    if (error) b.errors++;
    let i = 0;
    while (durationMs > BOUNDS[i]!) i++;
    b.histogram[i]!++;
  }

  snapshot(nowMs: number): StatsSnapshot {
    const now = Math.floor(nowMs / 1000);
    const histogram = new Uint32Array(BOUNDS.length);
    const series: number[] = [];
    let count = 0;
    let errors = 0;
    let recent = 0;
    for (let s = now - this.windowSeconds + 1; s <= now; s++) {
      const b = this.buckets[((s % this.windowSeconds) + this.windowSeconds) % this.windowSeconds]!;
      const live = b.second === s;
      series.push(live ? b.count : 0);
      if (!live) continue;
      count += b.count;
      errors += b.errors;
      if (s > now - 5) recent += b.count;
      for (let i = 0; i < BOUNDS.length; i++) histogram[i]! += b.histogram[i]!;
    }
    return {rate: recent / 5, p50: percentile(histogram, count, 0.5), p95: percentile(histogram, count, 0.95), errors, count, series};
  }
}

function percentile(histogram: Uint32Array, count: number, q: number): number {
  if (count === 0) return 0;
  const target = Math.ceil(count * q);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= target) return Number.isFinite(BOUNDS[i]!) ? BOUNDS[i]! : BOUNDS[i - 1]!;
  }
  return 0;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A small sparkline of a series, scaled to its own maximum. */
export function sparkline(series: readonly number[], width = series.length): string {
  const tail = series.slice(-width);
  const max = Math.max(1, ...tail);
  return tail.map((v) => (v === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1)))]!)).join('');
}
