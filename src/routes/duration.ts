import {UserError} from '../errors.js';

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};
/** Longest timeout accepted: a day (a larger one is a typo, and timers overflow past 24.8 days). */
const MAX_MS = 86_400_000;

export interface DurationBounds {
  /** Shortest accepted, ms. Default 1 (a timeout of 0 means nothing); a delay may be 0ms. */
  minMs?: number;
  /** Longest accepted, ms. Default a day. */
  maxMs?: number;
}

/**
 * portico's one duration grammar (README "Durations"): a number with a unit, `500ms`, `30s`, `2m`,
 * `1.5m`, `1h`. A bare number is refused, because `--timeout 30` once meant seconds and `--delay 30`
 * milliseconds: the unit is always written. `what` names the input in the error (`--timeout`,
 * `PORTICO_TIMEOUT`, `delay`). Stored routes hold milliseconds as numbers and never pass through here.
 */
export function parseDuration(input: string | number, what: string, bounds: DurationBounds = {}): number {
  const {minMs = 1, maxMs = MAX_MS} = bounds;
  const text = String(input).trim().toLowerCase();
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(text);
  const ms = match ? Math.round(Number(match[1]) * UNITS[match[2]!]!) : NaN;
  if (!match || !(ms >= minMs) || ms > maxMs) {
    const bare = /^\d+(\.\d+)?$/.test(text) ? ` (a number needs its unit: ${text}ms or ${text}s)` : '';
    throw new UserError(
      `Invalid ${what} \`${String(input)}\`: expected a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} with its unit (ms, s, m or h), such as 300ms or 30s${bare}.`,
      {exit: 2},
    );
  }
  return ms;
}

/** The daemon-wide response timeout from PORTICO_TIMEOUT, or undefined when unset. */
export function envTimeout(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.PORTICO_TIMEOUT?.trim();
  return text ? parseDuration(text, 'PORTICO_TIMEOUT') : undefined;
}

/** `30s`, `1.5m`, `500ms`: how portico shows a duration it was given. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
