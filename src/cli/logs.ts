import {DaemonNotRunning, streamEvents} from '../daemon/client.js';
import {UserError} from '../errors.js';
import type {StatePaths} from '../state/home.js';
import type {TrafficEvent} from '../traffic/event.js';
import {formatEventLine} from '../traffic/format.js';

export interface LogsOptions {
  paths: StatePaths;
  /** Keep following live events after the recent ones. */
  follow: boolean;
  /** One JSON object per line instead of text. */
  json: boolean;
  /** How many recent events to show first. Default 200. */
  history?: number;
  out: (line: string) => void;
  signal?: AbortSignal;
}

/** Recent traffic, then (with follow) live, until the daemon stops or the signal aborts. */
export async function showLogs(options: LogsOptions): Promise<void> {
  const print = (event: TrafficEvent) => options.out(options.json ? JSON.stringify(event) : formatEventLine(event));
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), {once: true});
  if (!options.follow) {
    // History only: read what the daemon replays, then stop once it goes quiet.
    let quiet: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => controller.abort(), 150);
    };
    arm();
    await run(options.paths, (e) => {
      print(e);
      arm();
    }, controller.signal, options.history);
    clearTimeout(quiet);
    return;
  }
  await run(options.paths, print, controller.signal, options.history);
}

async function run(paths: StatePaths, onEvent: (e: TrafficEvent) => void, signal: AbortSignal, history?: number): Promise<void> {
  try {
    await streamEvents(paths, onEvent, {history: history ?? 200, signal});
  } catch (error) {
    if (error instanceof DaemonNotRunning) throw new UserError('portico is not running, so there is no traffic to show.', {hint: 'Start it with `portico up`.'});
    throw error;
  }
}
