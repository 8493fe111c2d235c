import {streamEvents} from '../daemon/client.js';
import type {StatePaths} from '../state/home.js';
import type {RequestEvent} from '../traffic/event.js';

/** Events the daemon keeps (its ring buffer holds 1000). */
export const HISTORY = 1000;

/** The daemon's recent request events, oldest first (health events left out). */
export async function recentRequests(paths: StatePaths): Promise<RequestEvent[]> {
  const events: RequestEvent[] = [];
  await streamEvents(paths, (e) => e.type === 'request' && events.push(e), {history: HISTORY, follow: false});
  return events;
}
