import type {IncomingMessage, OutgoingHttpHeaders, ServerResponse} from 'node:http';
import type {Http2ServerRequest, Http2ServerResponse} from 'node:http2';
import type {Upstream} from '../balance/upstream.js';
import type {TrafficSink} from '../traffic/event.js';
import {requestHead, type BackendConnection, type BackendPool, type Exchange} from './backend.js';
import {hasBody, forwardRequestHeaders, forwardResponseHeaders} from './headers.js';
import type {H2Request, H2Response} from './h2stream.js';
import type {FailedTarget} from './pages.js';
import type {ResponseHead} from './response-parser.js';
import type {RouteEntry} from './table.js';

export type ProxyRequest = IncomingMessage | Http2ServerRequest | H2Request;
export type ProxyResponse = ServerResponse | Http2ServerResponse | H2Response;

/** What a request failed with, mapped to a page in one place (ProxyErrors.send). */
export type Failure = {kind: 'bad-gateway'; failures: FailedTarget[]} | {kind: 'timeout'; target: string};

export interface ForwardContext {
  /** Our loop marker. */
  hop: string;
  /** Milliseconds to wait for response headers. */
  backendTimeout: number;
  /** Keep-alive connections to backends, shared by every request: never one per request. */
  backends: BackendPool;
  traffic?: TrafficSink;
  nextId: () => number;
  /** Answer a failed request with its page. */
  fail: (req: ProxyRequest, res: ProxyResponse, entry: RouteEntry, failure: Failure) => void;
}

/** Errors where the backend never saw the request: always safe to try the next instance. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

/** Per-request state across retries. */
interface Attempt {
  entry: RouteEntry;
  req: ProxyRequest;
  res: ProxyResponse;
  path: string;
  host: string;
  isH2: boolean;
  withBody: boolean;
  /** Upstreams already tried and failed for this request. */
  tried?: Set<Upstream>;
  failures?: FailedTarget[];
  /** The request body started flowing to some backend: from here on, no replay. */
  bodySent: boolean;
  /** The whole request body went to the backend. */
  bodyDone?: boolean;
  started: number;
  headers: OutgoingHttpHeaders;
  /** The request line and headers, built once and replayed on retries. */
  head?: string;
}

export function forward(ctx: ForwardContext, entry: RouteEntry, req: ProxyRequest, res: ProxyResponse, path: string, host: string, started: number): void {
  const isH2 = req.httpVersionMajor === 2;
  const method = req.method ?? 'GET';
  const withBody = hasBody(req.headers, isH2, method);
  const headers = forwardRequestHeaders(req.headers, {host: originalHost(req, host), clientIp: req.socket?.remoteAddress ?? '', hop: ctx.hop});
  // A body of unknown length (h1 chunked, or h2 without content-length) goes to the backend chunked.
  if (withBody && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
  const attempt: Attempt = {entry, req, res, path, host, isH2, withBody, bodySent: false, started, headers};
  const upstream = entry.pool.pick({cookie: req.headers.cookie});
  if (!upstream) {
    ctx.fail(req, res, entry, {kind: 'bad-gateway', failures: []});
    return;
  }
  send(ctx, attempt, upstream, 0);
}

function send(ctx: ForwardContext, a: Attempt, u: Upstream, familyTries: number): void {
  const {req, res, entry} = a;
  const target = u.target;
  const method = req.method ?? 'GET';
  entry.pool.begin(u);
  let conn: BackendConnection | undefined;
  let cancelDial: (() => void) | undefined;
  let settled = false;
  let responded = false;
  let bytes = 0;
  let responseHeaders: IncomingMessage['headers'] | undefined;
  let stopBody: (() => void) | undefined;

  const settle = () => {
    if (settled) return false;
    settled = true;
    clearTimeout(timer);
    res.removeListener('close', onClientClose);
    stopBody?.();
    res.removeListener('drain', resume);
    entry.pool.end(u);
    return true;
  };

  const timer = setTimeout(() => {
    if (responded) return;
    if (conn) conn.abort();
    else cancelDial?.();
    if (!settle()) return;
    entry.pool.reportFailure(u, 'timeout');
    ctx.fail(req, res, entry, {kind: 'timeout', target: target.url});
    if (ctx.traffic?.active) emitRequest(ctx, a, 504, u, 0, undefined, 'timeout');
  }, ctx.backendTimeout);

  // The client went away: stop the backend side too (frees the instance, never leaks a socket).
  const onClientClose = () => {
    if (settled) return;
    if (conn) conn.abort();
    else cancelDial?.();
    settle();
    if (ctx.traffic?.active) emitRequest(ctx, a, res.statusCode, u, bytes, responseHeaders, 'client closed');
  };
  res.once('close', onClientClose);

  const resume = () => conn?.socket.resume();
  const exchange: Exchange = {
    head(head: ResponseHead) {
      responded = true;
      clearTimeout(timer);
      entry.pool.reportSuccess(u);
      responseHeaders = head.headers;
      const headers = forwardResponseHeaders(head.headers);
      const cookie = entry.pool.stickyCookie(u);
      if (cookie && !entry.pool.hasStickyCookie(req.headers.cookie, u)) {
        const prior = headers['set-cookie'];
        headers['set-cookie'] = prior === undefined ? [cookie] : [...(Array.isArray(prior) ? prior : [String(prior)]), cookie];
      }
      try {
        res.writeHead(head.status, headers);
      } catch (error) {
        // A header the client protocol cannot carry (h2 forbids some h1 ones): answer 502 rather than crash.
        conn?.abort();
        settle();
        if (!res.headersSent) ctx.fail(req, res, entry, {kind: 'bad-gateway', failures: [{target: target.url, error: `invalid response header (${(error as Error).message})`}]});
        return;
      }
      // Server-sent events: the client must see the headers now, not with the first event.
      if (head.headers['content-type']?.startsWith('text/event-stream') && 'flushHeaders' in res) res.flushHeaders();
    },
    body(chunk: Buffer) {
      if (settled) return;
      bytes += chunk.length;
      // Backpressure: a slow client pauses the backend instead of buffering its whole response here.
      if (!(res as NodeJS.WritableStream).write(chunk) && conn) {
        conn.socket.pause();
        res.once('drain', resume);
      }
    },
    end() {
      // The backend answered before taking the whole body: what is left would be read as the next request.
      if (a.withBody && !a.bodyDone) conn?.abort();
      if (!settle()) return;
      (res as H2Response).end();
      if (ctx.traffic?.active) emitRequest(ctx, a, res.statusCode, u, bytes, responseHeaders);
    },
    error(code: string) {
      const wasReused = conn?.reused ?? false;
      if (!settle()) return;
      failed(code, wasReused);
    },
  };

  const failed = (code: string, wasReused: boolean) => {
    if (responded || res.headersSent) {
      // The response had started: the client must see a broken response, not a truncated "success".
      res.destroy(new Error(code));
      return;
    }
    if (res.destroyed || (res as ServerResponse).writableEnded) return;
    // localhost targets: the dev server may listen on ::1 only (Vite on Node >= 17) or 127.0.0.1 only.
    if (CONNECT_ERRORS.has(code) && familyTries + 1 < target.dial.length) {
      u.dialIndex = (u.dialIndex + 1) % target.dial.length;
      send(ctx, a, u, familyTries + 1);
      return;
    }
    // A pooled keep-alive connection the backend had just closed: the request never reached it.
    if (wasReused && !a.bodySent && (code === 'ECONNRESET' || code === 'EPIPE') && familyTries < 4) {
      send(ctx, a, u, familyTries + 1);
      return;
    }
    const retryable = CONNECT_ERRORS.has(code) || code === 'ECONNRESET' || code === 'EPIPE';
    entry.pool.reportFailure(u, code);
    (a.failures ??= []).push({target: target.url, error: code});
    (a.tried ??= new Set()).add(u);
    if (retryable && !a.bodySent) {
      const next = entry.pool.pick({cookie: req.headers.cookie, exclude: a.tried});
      if (next) {
        send(ctx, a, next, 0);
        return;
      }
    }
    ctx.fail(req, res, entry, {kind: 'bad-gateway', failures: a.failures});
    if (ctx.traffic?.active) emitRequest(ctx, a, 502, u, 0, undefined, code);
  };

  const start = (c: BackendConnection) => {
    cancelDial = undefined;
    if (settled) {
      c.socket.destroy();
      return;
    }
    conn = c;
    c.begin((a.head ??= requestHead(method, a.path, a.headers)), exchange, method === 'HEAD');
    if (a.withBody) stopBody = streamBody(a, c);
  };

  const address = target.dial[u.dialIndex] ?? target.dial[0]!;
  const idle = ctx.backends.take(target, address);
  if (idle) start(idle);
  else
    cancelDial = ctx.backends.connect(target, address, start, (code) => {
      cancelDial = undefined;
      if (settle()) failed(code, false);
    });
}

/** Stream the client's request body to the backend, chunked when its length is unknown. Returns a detach function. */
function streamBody(a: Attempt, conn: BackendConnection): () => void {
  const {req} = a;
  const socket = conn.socket;
  const chunked = a.headers['transfer-encoding'] === 'chunked';
  const resume = () => req.resume();
  const onData = (chunk: Buffer) => {
    if (chunk.length === 0) return;
    a.bodySent = true;
    let ok: boolean;
    if (chunked) {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      ok = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else ok = socket.write(chunk);
    if (!ok) {
      req.pause();
      socket.once('drain', resume);
    }
  };
  const onEnd = () => {
    a.bodyDone = true;
    if (chunked) socket.write('0\r\n\r\n', 'latin1');
  };
  req.on('data', onData);
  req.once('end', onEnd);
  return () => {
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    socket.removeListener('drain', resume);
  };
}

/** The Host exactly as the client sent it (port included): backends build absolute URLs from it. */
export function originalHost(req: ProxyRequest, fallback: string): string {
  return (req.headers[':authority'] as string | undefined) ?? req.headers.host ?? fallback;
}

function emitRequest(ctx: ForwardContext, a: Attempt, status: number, u: Upstream, bytes: number, responseHeaders: IncomingMessage['headers'] | undefined, error?: string): void {
  const sink = ctx.traffic!;
  sink.emit({
    type: 'request',
    id: ctx.nextId(),
    time: a.started,
    method: a.req.method ?? 'GET',
    host: a.host,
    path: a.req.url ?? '/',
    status,
    duration: Date.now() - a.started,
    bytes,
    target: u.target.url,
    route: a.entry.key,
    protocol: a.isH2 ? 'h2' : 'h1',
    ...(error ? {error} : {}),
    ...(sink.wantsHeaders ? {requestHeaders: a.req.headers as Record<string, string | string[]>, ...(responseHeaders ? {responseHeaders: responseHeaders as Record<string, string | string[]>} : {})} : {}),
  });
}
