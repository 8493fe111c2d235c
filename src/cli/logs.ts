import {call, DaemonNotRunning, streamEvents} from '../daemon/client.js';
import {readDaemonInfo} from '../daemon/lifecycle.js';
import {InputError, UserError, errorCode} from '../errors.js';
import type {StatePaths} from '../state/home.js';
import {writeFileAtomic} from '../state/atomic.js';
import type {RequestEvent, TrafficEvent} from '../traffic/event.js';
import {FilterError, matchFilter, parseFilter, type Filter} from '../traffic/filter.js';
import {formatEventLine} from '../traffic/format.js';
import {buildHar, harEntry, TRAFFIC_FILE_MODE, type HarOptions} from '../traffic/har.js';
import {openHarFile, type HarFileWriter} from '../traffic/har-file.js';
import {VERSION} from '../version.js';

export interface LogsOptions {
  paths: StatePaths;
  /** Keep following live events after the recent ones. */
  follow: boolean;
  /** One JSON object per line instead of text. */
  json: boolean;
  /** How many recent events to show first. Default 200. */
  history?: number;
  /** Only requests whose host contains this. */
  host?: string;
  /** Only requests with this status: `404`, `5xx`, `404,5xx`. */
  status?: string;
  /** Only requests with this method. */
  method?: string;
  /** Write the requests (and what was captured of them) to this file as HAR 1.2 instead of printing them. */
  har?: string;
  /** Keep Authorization, Cookie, Set-Cookie and Proxy-Authorization values in the HAR file. Default: redacted. */
  withSecrets?: boolean;
  out: (line: string) => void;
  signal?: AbortSignal;
}

/** The --host/--status/--method flags as one filter; a status it cannot read is a clear error naming the flag. */
export function logsFilter(options: Pick<LogsOptions, 'host' | 'status' | 'method'>): Filter | undefined {
  const terms: string[] = [];
  for (const [flag, value] of [
    ['host', options.host],
    ['status', options.status],
    ['method', options.method],
  ] as const) {
    if (value === undefined) continue;
    if (!value.trim() || /\s/.test(value.trim())) throw new InputError(`Invalid --${flag} \`${value}\`: expected one word.`);
    terms.push(`${flag}:${value.trim()}`);
  }
  if (terms.length === 0) return undefined;
  try {
    return parseFilter(terms.join(' '));
  } catch (error) {
    if (error instanceof FilterError) throw new InputError(`Invalid --status \`${options.status}\`: expected a status like 404, 5xx or 404,5xx.`);
    throw error;
  }
}

/** Recent traffic, then (with follow) live, until the daemon stops or the signal aborts. */
export async function showLogs(options: LogsOptions): Promise<void> {
  const filter = logsFilter(options);
  const keep = (e: TrafficEvent): e is TrafficEvent => (filter ? e.type === 'request' && matchFilter(filter, e) : true);
  if (options.har) return writeHarLog(options, filter);
  // Lines of one read go out as one write: a follower under load must not cost a syscall per request.
  let buffered: string[] = [];
  const print = (event: TrafficEvent) => {
    if (keep(event)) buffered.push(options.json ? JSON.stringify(event) : formatEventLine(event));
  };
  const flush = () => {
    if (buffered.length === 0) return;
    const lines = buffered;
    buffered = [];
    options.out(lines.join('\n'));
  };
  await collect(options, print, flush, false);
  flush();
}

/**
 * Read the events: the history (until the daemon goes quiet) or, with follow, until the signal.
 * With `capture`, the daemon captures bodies and timing while this stream is open.
 */
async function collect(options: LogsOptions, onEvent: (e: TrafficEvent) => void, onBatch: () => void, capture: boolean): Promise<void> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), {once: true});
  let quiet: NodeJS.Timeout | undefined;
  // History only: the daemon ends the stream after it (follow=0). A daemon from before that keeps the
  // stream open: for it alone, stop once it has been quiet for a while.
  const arm = (ms: number) => {
    if (options.follow) return;
    clearTimeout(quiet);
    quiet = setTimeout(() => controller.abort(), ms);
  };
  arm(10_000);
  try {
    await streamEvents(
      options.paths,
      (e) => {
        onEvent(e);
        arm(10_000);
      },
      {history: options.history ?? 200, signal: controller.signal, onBatch, headers: capture, capture, follow: options.follow === true},
    );
  } catch (error) {
    if (error instanceof DaemonNotRunning)
      throw new UserError('portico is not running, so there is no traffic to show.', {hint: 'Start it with `portico up`.'});
    throw error;
  } finally {
    clearTimeout(quiet);
  }
}

/** How far back the catch-up read after a followed HAR recording looks: the daemon keeps 1000. */
const HISTORY_CATCH_UP = 1000;

/** Followed HAR: requests waiting for their capture beyond this are written without it (memory stays bounded). */
const MAX_PENDING = 500;

/** `logs --har FILE`: the requests as HAR 1.2, with the bodies and timing that were captured. */
async function writeHarLog(options: LogsOptions, filter: Filter | undefined): Promise<void> {
  const file = options.har!;
  const wanted = (e: TrafficEvent): e is RequestEvent => e.type === 'request' && (!filter || matchFilter(filter, e));
  const harOptions = {keepSecrets: options.withSecrets === true, port: readDaemonInfo(options.paths)?.port};
  if (options.follow) return followHar(options, wanted, harOptions);
  const events: RequestEvent[] = [];
  await collect(
    options,
    (e) => wanted(e) && events.push(e),
    () => {},
    false,
  );
  const captures = new Map((await call(options.paths, 'exchanges', undefined, {timeoutMs: 30_000})).map((c) => [c.id, c] as const));
  const har = buildHar(events, captures, VERSION, harOptions);
  try {
    writeFileAtomic(file, `${JSON.stringify(har, null, 2)}\n`, TRAFFIC_FILE_MODE);
  } catch (error) {
    throw cannotWrite(file, error);
  }
  const withBodies = events.filter((e) => captures.has(e.id)).length;
  options.out(`Wrote ${events.length} request${events.length === 1 ? '' : 's'} to ${file} (HAR 1.2; ${withBodies} with captured bodies and timing).`);
}

const cannotWrite = (file: string, error: unknown) =>
  new UserError(`Cannot write the HAR file \`${file}\`: ${errorCode(error) ?? (error as Error).message}.`, {cause: error});

/**
 * `logs --follow --har FILE`: capture while listening and write each request as it arrives, its
 * capture fetched by id, so memory stays bounded whatever the traffic (README "HAR").
 */
async function followHar(options: LogsOptions, wanted: (e: TrafficEvent) => e is RequestEvent, harOptions: HarOptions): Promise<void> {
  let writer: HarFileWriter;
  try {
    writer = openHarFile(options.har!, {name: 'portico', version: VERSION});
  } catch (error) {
    throw cannotWrite(options.har!, error);
  }
  const seen = recentIds(4 * HISTORY_CATCH_UP);
  let pending = 0;
  let withBodies = 0;
  let writing = Promise.resolve();
  const take = (e: TrafficEvent) => {
    if (!wanted(e) || seen.has(e.id)) return;
    seen.add(e.id);
    const fetchCapture = e.captured === true && pending < MAX_PENDING;
    pending++;
    writing = writing.then(async () => {
      const capture = fetchCapture ? await call(options.paths, 'exchange', {id: e.id}).catch(() => undefined) : undefined;
      if (capture) withBodies++;
      writer.add(harEntry(e, capture, harOptions));
      pending--;
    });
  };
  const since = Date.now();
  try {
    await collect(options, take, () => {}, true);
    // Ctrl-C may come before the live stream delivered the last requests (it is sent in batches):
    // read the daemon's history once more and add what finished since we started, so a request
    // made just before the interrupt is in the file.
    await collect(
      {...options, follow: false, history: HISTORY_CATCH_UP, signal: undefined},
      (e) => e.type === 'request' && e.time >= since && take(e),
      () => {},
      false,
    );
  } finally {
    await writing.catch(() => undefined);
    const count = writer.close();
    options.out(`Wrote ${count} request${count === 1 ? '' : 's'} to ${options.har} (HAR 1.2; ${withBodies} with captured bodies and timing).`);
  }
}

/** A set of the last `size` ids added: enough to skip what the catch-up read repeats. */
function recentIds(size: number): {has(id: number): boolean; add(id: number): void} {
  const ids = new Set<number>();
  return {
    has: (id) => ids.has(id),
    add(id) {
      ids.add(id);
      if (ids.size > size) ids.delete(ids.values().next().value!);
    },
  };
}
