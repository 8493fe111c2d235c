import type {Report} from './report.js';

/** The capture store's bound (src/traffic/capture.ts TOTAL_LIMIT: 32 MiB), in the MB RSS is reported in (VmRSS / 1024). */
const CAPTURE_BOUND_MB = 32;

interface Goal {
  /** Short name, as in README "Performance". */
  name: string;
  /** The figure the goal is judged on, as printed; undefined when not measured in this run. */
  figure?: string;
  met?: boolean;
}

/** A ratio goal: portico/peer against a bound. */
function ratioGoal(report: Report, name: string, scenario: string, peer: string, ok: (x: number) => boolean, of = 'portico'): Goal {
  const x = report.ratio(scenario, peer, of);
  return x === undefined ? {name} : {name, figure: `${x.toFixed(2)}x`, met: ok(x)};
}

function valueGoal(name: string, value: number | undefined, unit: string, ok: (x: number) => boolean): Goal {
  return value === undefined || !Number.isFinite(value)
    ? {name}
    : {name, figure: `${value.toFixed(value < 10 ? 2 : 0)}${unit === 'x' ? '' : ' '}${unit}`, met: ok(value)};
}

/** The performance goals README "Performance" lists, judged on this run's medians. */
export function performanceGoals(report: Report): Goal[] {
  const v = (s: string) => report.value(s);
  const atMost = (bound: number) => (x: number) => x <= bound;
  const atLeast = (bound: number) => (x: number) => x >= bound;
  const p50 = v('latency p50 at 1 connection');
  const direct = report.value('latency p50 at 1 connection', 'direct');
  const idleRss = v('daemon RSS idle');
  const goals: Goal[] = [
    ratioGoal(report, 'CPU/req h1 <= Caddy', 'CPU µs per request, HTTP/1.1', 'caddy', atMost(1)),
    ratioGoal(report, 'CPU/req h2 <= Caddy', 'CPU µs per request, HTTP/2', 'caddy', atMost(1)),
    ratioGoal(report, 'h1 >= Caddy', 'HTTPS HTTP/1.1, 50 connections', 'caddy', atLeast(1)),
    ratioGoal(report, 'h2 >= Caddy', 'HTTP/2, 50 connections x 10 streams', 'caddy', atLeast(1)),
    ratioGoal(report, '1 MiB >= Caddy', '1 MiB responses', 'caddy', atLeast(1)),
    ratioGoal(report, 'WebSocket >= Caddy', 'WebSocket echo, 1 connection', 'caddy', atLeast(1)),
    ratioGoal(report, 'gzip >= Caddy', 'gzip, 100 KB JSON, 50 connections', 'caddy', atLeast(1)),
    ratioGoal(report, 'h1 >= Caddy, --workers 2', 'HTTPS HTTP/1.1, 50 connections', 'caddy', atLeast(1), 'portico-w2'),
    ratioGoal(report, 'h2 >= Caddy, --workers 2', 'HTTP/2, 50 connections x 10 streams', 'caddy', atLeast(1), 'portico-w2'),
    ratioGoal(report, '1 MiB >= Caddy, --workers 2', '1 MiB responses', 'caddy', atLeast(1), 'portico-w2'),
    ratioGoal(report, 'gzip >= Caddy, --workers 2', 'gzip, 100 KB JSON, 50 connections', 'caddy', atLeast(1), 'portico-w2'),
    ratioGoal(report, 'h1 >= 3x portless', 'HTTPS HTTP/1.1, 50 connections', 'portless', atLeast(3)),
    ratioGoal(report, 'h2 >= 3x portless', 'HTTP/2, 50 connections x 10 streams', 'portless', atLeast(3)),
    ratioGoal(report, '1 MiB >= 3x portless', '1 MiB responses', 'portless', atLeast(3)),
    valueGoal('added p50 <= 0.3 ms', p50 !== undefined && direct !== undefined ? p50 - direct : undefined, 'ms', atMost(0.3)),
    valueGoal(
      'dash attached >= 0.8x',
      (v('HTTP/1.1 with a dashboard attached') ?? Number.NaN) / (v('HTTP/1.1 with nobody watching') ?? Number.NaN),
      'x',
      atLeast(0.8),
    ),
    // ~0: 0.2% of a core is 2 clock ticks in 10 s, the resolution of /proc.
    valueGoal('idle CPU, 1000 routes ~0', v('daemon CPU idle, 1000 routes'), '% of a core', atMost(0.2)),
    valueGoal('RSS idle <= 60 MB', idleRss, 'MB', atMost(60)),
    valueGoal('RSS after load <= 120 MB', v('daemon RSS after load'), 'MB', atMost(120)),
    valueGoal(`RSS with capture <= capture bound + idle`, v('daemon RSS after 100k captured requests'), 'MB', atMost(CAPTURE_BOUND_MB + (idleRss ?? 60))),
  ];
  return goals;
}

/** Targets from earlier work that still hold (CLI and first-request times). */
export function otherTargets(report: Report): Goal[] {
  const v = (s: string) => report.value(s);
  return [
    valueGoal('first request to a new hostname <= 50 ms', v('first request to a new hostname'), 'ms', (x) => x <= 50),
    valueGoal('portico ls <= 300 ms', v('portico ls'), 'ms', (x) => x <= 300),
    valueGoal('portico up (running) <= 500 ms', v('portico up (running)'), 'ms', (x) => x <= 500),
    ratioGoal(report, 'cached >= nginx proxy_cache', 'cached 100 KB JSON, 50 connections', 'nginx', (x) => x >= 1),
    ratioGoal(report, 'gzip >= nginx', 'gzip, 100 KB JSON, 50 connections', 'nginx', (x) => x >= 1),
  ];
}

/** Each goal on a line, then the one-line summary (`npm run bench | tail -1`). */
export function printGoals(report: Report): void {
  const goals = performanceGoals(report);
  report.say('\nperformance goals (README "Performance")');
  for (const g of goals) report.say(`  ${g.met === undefined ? '–' : g.met ? '✓' : '✗'}  ${g.name}: ${g.figure ?? 'not measured'}`);
  report.say('\nother targets');
  for (const g of otherTargets(report)) report.say(`  ${g.met === undefined ? '–' : g.met ? '✓' : '✗'}  ${g.name}: ${g.figure ?? 'not measured'}`);
  const measured = goals.filter((g) => g.met !== undefined);
  const parts = measured.map((g) => `${g.name} ${g.met ? 'met' : 'NOT met'} (${g.figure})`);
  report.say(
    `\nsummary: ${measured.filter((g) => g.met).length} of ${measured.length} measured goals met${goals.length > measured.length ? `, ${goals.length - measured.length} not measured` : ''}: ${parts.join('; ')}`,
  );
}
