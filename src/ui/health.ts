import type {RouteStatus} from '../routes/status.js';
import type {HealthEvent} from '../traffic/event.js';
import {shortTarget} from './format.js';

/** How long a target's recovery stays on screen. */
export const RECOVERY_MS = 15_000;

export interface HealthLine {
  up: boolean;
  text: string;
}

function routeKey(r: RouteStatus): string {
  return r.path === '/' ? r.host : `${r.host}${r.path}`;
}

/**
 * Health as it is now, from the route status the dashboard polls: one line per target that is down,
 * then targets that came back within RECOVERY_MS. A removed route or target is simply not in the
 * status, so it vanishes; old events never keep a target "down" on screen.
 */
export function healthLines(routes: readonly RouteStatus[], recoveries: readonly HealthEvent[], now: number): HealthLine[] {
  const lines: HealthLine[] = [];
  for (const r of routes) {
    for (const t of r.targets)
      if (!t.healthy) lines.push({up: false, text: `○ ${shortTarget(t.target)} down${t.lastError ? ` (${t.lastError})` : ''} · ${routeKey(r)}`});
  }
  const seen = new Set<string>();
  for (const event of [...recoveries].reverse()) {
    if (now - event.time > RECOVERY_MS || seen.has(`${event.route} ${event.target}`)) continue;
    seen.add(`${event.route} ${event.target}`);
    const target = routes.find((r) => routeKey(r) === event.route)?.targets.find((t) => t.target === event.target);
    if (target?.healthy) lines.push({up: true, text: `● ${shortTarget(event.target)} up again · ${event.route}`});
  }
  return lines;
}
