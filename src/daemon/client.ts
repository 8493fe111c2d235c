import http from 'node:http';
import {ExitCode, UserError} from '../errors.js';
import type {StatePaths} from '../state/home.js';
import type {TrafficEvent} from '../traffic/event.js';
import {CONTROL_API, pathFor, type EndpointName, type RequestOf, type ResponseOf} from './api.js';
import {CONTROL_BODY_HINT, MAX_CONTROL_BODY, controlBodyTooLarge, type ErrorBody} from './protocol.js';

/** Connect errors meaning no daemon can be listening there (no socket file, or no such directory). */
const NOT_RUNNING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTDIR', 'EACCES']);

/** Nothing answers on the control socket. */
export class DaemonNotRunning extends Error {
  constructor() {
    super('The portico daemon is not running.');
  }
}

/** The daemon closed the control connection mid-request (it was stopping, or crashed). */
export class DaemonGone extends UserError {
  constructor(method: string, path: string) {
    super(`The portico daemon closed the connection during ${method} ${path}.`, {
      hint: 'It may be stopping; run the command again, or see daemon.log in PORTICO_HOME.',
    });
  }
}

export interface CallOptions {
  /** How long to wait for the answer, ms. Default 15 s. */
  timeoutMs?: number;
}

/** The request argument, left out for endpoints that take none (`call(paths, 'status')`). */
type CallArgs<N extends EndpointName> =
  RequestOf<N> extends void ? [request?: undefined, options?: CallOptions] : [request: RequestOf<N>, options?: CallOptions];

/** One control request to the endpoint `name` of the table in api.ts; 4xx answers come back as the daemon's UserError. */
export function call<N extends EndpointName>(paths: StatePaths, name: N, ...[body, options]: CallArgs<N>): Promise<ResponseOf<N>> {
  const endpoint = CONTROL_API[name];
  const carriesBody = !endpoint.path.includes(':id');
  return send<ResponseOf<N>>(paths, endpoint.method, pathFor(endpoint, body), carriesBody ? body : undefined, options?.timeoutMs ?? 15_000);
}

function send<T>(paths: StatePaths, method: string, path: string, body: unknown, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const bytes = payload === undefined ? 0 : Buffer.byteLength(payload);
    // Checked here, before a byte goes out: a daemon that stops reading mid-body could only look like a reset.
    if (bytes > MAX_CONTROL_BODY)
      return reject(new UserError(controlBodyTooLarge(method, path, bytes, 'was not sent'), {hint: CONTROL_BODY_HINT, exit: ExitCode.usage}));
    const req = http.request(
      {
        socketPath: paths.socket,
        method,
        path,
        headers: {'content-type': 'application/json', ...(payload ? {'content-length': Buffer.byteLength(payload)} : {})},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let data: unknown;
          try {
            data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(new Error(`The portico daemon sent an unreadable answer to ${method} ${path}.`));
          }
          if ((res.statusCode ?? 500) >= 400) {
            const {error, hint, exit} = data as ErrorBody;
            return reject(new UserError(error, {hint, exit}));
          }
          resolve(data as T);
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new UserError(`The portico daemon did not answer ${method} ${path} within ${timeoutMs / 1000} s.`, {
          hint: 'See daemon.log in PORTICO_HOME, or restart it: `portico down && portico up`.',
        }),
      ),
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (NOT_RUNNING.has(error.code ?? '')) reject(new DaemonNotRunning());
      else if (error.code === 'EPIPE' || error.code === 'ECONNRESET') reject(new DaemonGone(method, path));
      else reject(error);
    });
    req.end(payload);
  });
}

export interface StreamOptions {
  /** How many past events to replay first. Default 200. */
  history?: number;
  /** Ask for request/response headers in events. */
  headers?: boolean;
  /** Ask the daemon to capture bodies, timing and attempts while this stream is open (the dashboard). */
  capture?: boolean;
  /** false: only the history; the daemon ends the stream after it. Default true. */
  follow?: boolean;
  signal?: AbortSignal;
  /** Called after the events of one read (the daemon sends a turn's events at once): a place to flush output. */
  onBatch?: () => void;
  /** Called once the daemon has answered: from then on it is subscribed (capturing, with `capture`). */
  onOpen?: () => void;
}

/** Follow the daemon's NDJSON event stream; resolves when it ends (daemon stopped or signal aborted). */
export function streamEvents(paths: StatePaths, onEvent: (event: TrafficEvent) => void, options: StreamOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const query = `?history=${options.history ?? 200}${options.headers ? '&headers=1' : ''}${options.capture ? '&capture=1' : ''}${options.follow === false ? '&follow=0' : ''}`;
    let answered = false;
    const req = http.request({socketPath: paths.socket, method: 'GET', path: `/events${query}`}, (res) => {
      answered = true;
      options.onOpen?.();
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) {
          let event: TrafficEvent;
          try {
            event = JSON.parse(line) as TrafficEvent;
          } catch {
            continue; // a torn line from a daemon cut off mid-write: skip it, keep following
          }
          onEvent(event);
        }
        options.onBatch?.();
      });
      res.on('end', () => resolve());
      res.on('close', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Once the stream was open, a reset only means the daemon went away: the stream has ended.
      if (options.signal?.aborted || answered) resolve();
      else if (NOT_RUNNING.has(error.code ?? '')) reject(new DaemonNotRunning());
      else reject(error);
    });
    options.signal?.addEventListener('abort', () => req.destroy(), {once: true});
    req.end();
  });
}
