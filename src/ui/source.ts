import {request, streamEvents} from '../daemon/client.js';
import type {Status} from '../daemon/protocol.js';
import type {StatePaths} from '../state/home.js';
import type {TrafficEvent} from '../traffic/event.js';

/** Where the dashboard gets its data: the daemon's control socket, or plain arrays in tests. */
export interface DashSource {
  /** Current status; polled about once a second. */
  status(): Promise<Status>;
  /** Live events (recent history first). Returns an unsubscribe. */
  subscribe(onEvent: (event: TrafficEvent) => void, onError: (error: Error) => void): () => void;
}

/** The daemon as a source: /status and the /events stream with headers (for the detail view). */
export function daemonSource(paths: StatePaths): DashSource {
  return {
    status: () => request<Status>(paths, 'GET', '/status', undefined, 5000),
    subscribe(onEvent, onError) {
      const controller = new AbortController();
      streamEvents(paths, onEvent, {history: 200, headers: true, signal: controller.signal}).then(
        () => {
          if (!controller.signal.aborted) onError(new Error('The portico daemon stopped.'));
        },
        onError,
      );
      return () => controller.abort();
    },
  };
}
