import {UserError} from '../errors.js';

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};
/** Longest timeout accepted: a day (a larger one is a typo, and timers overflow past 24.8 days). */
const MAX_MS = 86_400_000;

/**
 * A human duration in milliseconds: `500ms`, `30s`, `2m`, `1.5m`, `1h`; a plain number means seconds
 * (`--timeout 90`), as in curl's --max-time. `what` names the input in the error (`--timeout`, `PORTICO_TIMEOUT`).
 */
export function parseDuration(input: string | number, what: string): number {
  const text = String(input).trim().toLowerCase();
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text);
  const ms = match ? Math.round(Number(match[1]) * UNITS[match[2] ?? 's']!) : NaN;
  if (!match || !(ms >= 1) || ms > MAX_MS) {
    throw new UserError(`Invalid ${what} \`${String(input)}\`: expected a duration from 1ms to 24h such as 30s, 500ms or 2m (a plain number means seconds).`);
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
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
