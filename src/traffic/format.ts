import type {TrafficEvent} from './event.js';

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** One plain line per event (no escape codes): `logs`, and the dashboard when stdout is not a TTY. */
export function formatEventLine(event: TrafficEvent): string {
  if (event.type === 'health') {
    return `${clock(event.time)} health ${event.route} ${event.target} ${event.healthy ? 'up' : `down${event.error ? ` (${event.error})` : ''}`}`;
  }
  const status = event.status === 0 ? '---' : String(event.status);
  const target = event.target ? ` -> ${event.target}` : '';
  const error = event.error ? ` !${event.error}` : '';
  // What the front door did (`rate-limited`, `injected: 503`, `cache: hit`), so a user sees why.
  const notes = event.notes?.length ? ` [${event.notes.join(', ')}]` : '';
  return `${clock(event.time)} ${event.protocol} ${status} ${event.method} ${event.host}${event.path} ${event.duration}ms ${event.bytes}B${target}${error}${notes}`;
}
