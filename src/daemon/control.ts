import {chmodSync, unlinkSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import {ExitCode, UserError, errorCode, isUserError} from '../errors.js';
import {CONTROL_API, endpointFor, type ControlHandlers, type EndpointName} from './api.js';
import type {EventHub} from './hub.js';
import {withLock} from '../state/lock.js';
import {CONTROL_BODY_HINT, MAX_CONTROL_BODY, controlBodyTooLarge, type ErrorBody} from './protocol.js';

export interface ControlServerOptions {
  socket: string;
  /** Lock file held while binding the socket (daemon.lock in PORTICO_HOME). */
  lock: string;
  /** One handler per endpoint of the control API (api.ts). */
  handlers: ControlHandlers;
  hub: EventHub;
  /** Resolves when the daemon is ready; requests wait for it. Rejects if start-up failed. */
  ready: Promise<void>;
}

/**
 * The control API: HTTP + JSON on a unix socket (0600), never a TCP port, so a web page cannot reach
 * it through DNS rebinding. Requests are handled one at a time, so route changes never interleave.
 */
export async function startControlServer(options: ControlServerOptions): Promise<http.Server> {
  let queue: Promise<unknown> = Promise.resolve();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://portico');
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
      res.end(text);
    };
    // A daemon that failed to start answers what was waiting with the reason (`Port 1443 is in use ...`).
    const fail = (error: unknown) => {
      if (isUserError(error)) send(400, {error: error.message, ...(error.hint ? {hint: error.hint} : {}), exit: error.exit} satisfies ErrorBody);
      else {
        console.error('control request failed:', error);
        send(500, {error: `portico daemon error: ${(error as Error).message}`} satisfies ErrorBody);
      }
    };
    if (req.method === 'GET' && url.pathname === '/events') {
      options.ready.then(() => streamEvents(options.hub, url, req, res), fail);
      return;
    }
    const name = endpointFor(req.method ?? '', url.pathname);
    if (!name) return send(404, {error: `Unknown control request ${req.method} ${url.pathname}.`} satisfies ErrorBody);
    // Too large to read: one sentence (413) instead of a reset the client could only call "closed the
    // connection".
    const refuseLarge = (bytes: number | undefined) => {
      send(413, {
        error: controlBodyTooLarge(req.method ?? '', url.pathname, bytes, 'was refused'),
        hint: CONTROL_BODY_HINT,
        exit: ExitCode.usage,
      } satisfies ErrorBody);
      // Lingering close: read and drop the rest of the body for a while, so the client (still writing)
      // reads the answer instead of a broken pipe; then the connection goes whatever the client does.
      req.removeAllListeners('data');
      req.resume();
      const linger = setTimeout(() => req.destroy(), LINGER_MS);
      linger.unref();
      req.on('close', () => clearTimeout(linger));
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_CONTROL_BODY) return refuseLarge(declared);
    readBody(req).then(
      (body) => {
        const answer = () => options.ready.then(() => handle(options.handlers, name, body, url));
        // Route changes one at a time: concurrent `portico add`s are applied in turn, none lost.
        const answered = CONTROL_API[name].concurrent ? answer() : queue.then(answer);
        if (!CONTROL_API[name].concurrent) queue = answered.catch(() => {});
        answered.then((result) => send(200, result ?? {ok: true}), fail);
      },
      (error) => (error instanceof BodyTooLarge ? refuseLarge(undefined) : send(400, {error: (error as Error).message})),
    );
  });
  await listenSocket(server, options.socket, options.lock);
  return server;
}

/** The request read and checked at the edge (api.ts), then handed to its endpoint's handler. */
function handle<N extends EndpointName>(handlers: ControlHandlers, name: N, body: unknown, url: URL): Promise<unknown> {
  const handler = handlers[name] as (request: unknown) => unknown;
  return Promise.resolve().then(() => handler(CONTROL_API[name].read(body, url)));
}

/** How long a refused oversize request may go on sending before its connection is closed. */
const LINGER_MS = 2000;

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CONTROL_BODY) {
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('Control request body is not JSON.'));
      }
    });
    req.on('error', reject);
  });
}

const FLUSH_MS = 50;

function streamEvents(hub: EventHub, url: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, {'content-type': 'application/x-ndjson', 'cache-control': 'no-store'});
  const history = Number(url.searchParams.get('history') ?? 200);
  const replay = hub.history(Number.isFinite(history) ? history : 200);
  const historyText = replay.length > 0 ? `${replay.map((e) => JSON.stringify(e)).join('\n')}\n` : '';
  // History only (`logs` without --follow): end the stream after it, so the reader knows it has all
  // of it however slowly it arrives.
  if (url.searchParams.get('follow') === '0') {
    res.end(historyText);
    return;
  }
  const headers = url.searchParams.get('headers') === '1';
  const capture = url.searchParams.get('capture') === '1';
  // Events go out in batches, at most every FLUSH_MS: under thousands of requests a second that is
  // 20 writes (and 20 reads for the follower) a second instead of one per request. A person watching
  // cannot see 50 ms; the dashboard renders at most 10 times a second anyway.
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!started) return;
    const lines = pending;
    pending = [];
    if (lines.length > 0 && !res.destroyed) res.write(`${lines.join('\n')}\n`);
  };
  const unsubscribe = hub.subscribe({
    headers,
    capture,
    send(event) {
      // A slow reader is dropped rather than buffered without bound.
      if (res.writableLength > 4 * 1024 * 1024) {
        res.destroy();
        return;
      }
      if (pending.push(JSON.stringify(event)) === 1) timer = setTimeout(flush, FLUSH_MS);
    },
    end() {
      started = true;
      flush();
      res.end();
    },
  });
  // The headers go once the subscription is in force in every process (workers too): a follower
  // learns it is subscribed, and capture is on, even while nothing happens (`portico mcp` waits for
  // this before it answers an agent). Events that came meanwhile follow the history.
  hub.settled.then(() => {
    if (res.destroyed || started) return;
    started = true;
    if (historyText) res.write(historyText);
    res.flushHeaders();
    flush();
  });
  req.socket.on('close', unsubscribe);
  res.on('close', () => {
    unsubscribe();
    clearTimeout(timer);
  });
}

/**
 * Listen on the socket path, under the start-up lock: of daemons starting at once exactly one binds
 * and the others find it answering. A leftover file from a crashed daemon (nothing answers on it) is
 * removed first; doing that outside the lock could delete a socket another daemon had just bound.
 */
function listenSocket(server: http.Server, socket: string, lock: string): Promise<void> {
  return withLock(lock, async () => {
    try {
      await listenOnce(server, socket);
    } catch (error) {
      if (errorCode(error) !== 'EADDRINUSE') throw error;
      if (await socketAnswers(socket))
        throw new UserError('Another portico daemon is already running.', {exit: ExitCode.busy, hint: 'Stop it with `portico down` first.'});
      try {
        unlinkSync(socket);
      } catch (error) {
        // A daemon that failed to start removes its own socket as it closes: gone already is fine.
        if (errorCode(error) !== 'ENOENT') throw error;
      }
      await listenOnce(server, socket);
    }
    if (process.platform === 'win32') return;
    try {
      chmodSync(socket, 0o600);
    } catch (error) {
      // A daemon that failed to start unlinks the path as its server closes, outside this lock: if that
      // took our fresh socket, this start lost the race. Exit 3 makes the CLI look again and retry.
      if (errorCode(error) === 'ENOENT') throw new UserError('Another portico daemon is starting or stopping.', {exit: ExitCode.busy});
      throw error;
    }
  });
}

function listenOnce(server: http.Server, socket: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

export function socketAnswers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
