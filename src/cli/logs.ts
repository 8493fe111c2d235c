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
  // Lines of one read go out as one write: a follower under load must not cost a syscall per request.
  let buffered: string[] = [];
  const print = (event: TrafficEvent) => buffered.push(options.json ? JSON.stringify(event) : formatEventLine(event));
  const flush = () => {
    if (buffered.length === 0) return;
    const lines = buffered;
    buffered = [];
    options.out(lines.join('\n'));
  };
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
    }, flush, controller.signal, options.history);
    clearTimeout(quiet);
    flush();
    return;
  }
  await run(options.paths, print, flush, controller.signal, options.history);
  flush();
}

async function run(paths: StatePaths, onEvent: (e: TrafficEvent) => void, onBatch: () => void, signal: AbortSignal, history?: number): Promise<void> {
  try {
    await streamEvents(paths, onEvent, {history: history ?? 200, signal, onBatch});
  } catch (error) {
    if (error instanceof DaemonNotRunning) throw new UserError('portico is not running, so there is no traffic to show.', {hint: 'Start it with `portico up`.'});
    throw error;
  }
}
