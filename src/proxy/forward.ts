import http, {type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse} from 'node:http';
import type {Http2ServerRequest, Http2ServerResponse} from 'node:http2';
import https from 'node:https';
import type {Upstream} from '../balance/upstream.js';
import type {TrafficSink} from '../traffic/event.js';
import {hasBody, isIdempotent, forwardRequestHeaders, forwardResponseHeaders} from './headers.js';
import type {FailedTarget} from './pages.js';
import type {RouteEntry} from './table.js';

export type ProxyRequest = IncomingMessage | Http2ServerRequest;
export type ProxyResponse = ServerResponse | Http2ServerResponse;

/** What a request failed with, mapped to a page in one place (ProxyErrors.send). */
export type Failure = {kind: 'bad-gateway'; failures: FailedTarget[]} | {kind: 'timeout'; target: string};

export interface ForwardContext {
  /** Our loop marker. */
  hop: string;
  /** Milliseconds to wait for response headers. */
  backendTimeout: number;
  /** Keep-alive agents shared by every request: never one per request. */
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  traffic?: TrafficSink;
  nextId: () => number;
  /** Answer a failed request with its page. */
  fail: (req: ProxyRequest, res: ProxyResponse, entry: RouteEntry, failure: Failure) => void;
}

/** Errors where the backend never saw the request: always safe to try the next instance. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

export function createAgents(): {httpAgent: http.Agent; httpsAgent: https.Agent} {
  // lifo keeps the hottest sockets busy and lets idle ones time out; the backend's own keep-alive
  // timeout (Node: 5 s) is beaten by our 4 s free-socket timeout, so we rarely reuse a closing socket.
  const common = {keepAlive: true, keepAliveMsecs: 1000, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: 256, scheduling: 'lifo' as const, timeout: 4000};
  // Backends are local dev servers with self-signed or portico certs: an https target is not verified.
  return {httpAgent: new http.Agent(common), httpsAgent: new https.Agent({...common, rejectUnauthorized: false})};
}

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
  /** The request body started flowing to some backend: from here on, no replay unless idempotent. */
  bodySent: boolean;
  started: number;
  headers: OutgoingHttpHeaders;
}

export function forward(ctx: ForwardContext, entry: RouteEntry, req: ProxyRequest, res: ProxyResponse, path: string, host: string, started: number): void {
  const isH2 = req.httpVersionMajor === 2;
  const attempt: Attempt = {
    entry,
    req,
    res,
    path,
    host,
    isH2,
    withBody: hasBody(req.headers, isH2, req.method ?? 'GET'),
    bodySent: false,
    started,
    headers: forwardRequestHeaders(req.headers, {host: originalHost(req, host), clientIp: req.socket?.remoteAddress ?? '', hop: ctx.hop}),
  };
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
  entry.pool.begin(u);
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    entry.pool.end(u);
  };
  const proxyReq = (target.protocol === 'https:' ? https : http).request({
    host: target.dial[u.dialIndex] ?? target.dial[0],
    port: target.port,
    method: req.method,
    path: a.path,
    headers: a.headers,
    agent: target.protocol === 'https:' ? ctx.httpsAgent : ctx.httpAgent,
    setHost: false,
    servername: target.protocol === 'https:' ? target.hostname : undefined,
  });

  const timer = setTimeout(() => proxyReq.destroy(Object.assign(new Error('timeout'), {code: 'ETIMEDOUT_PORTICO'})), ctx.backendTimeout);

  // The client went away: stop the backend side too (frees the instance, never leaks a socket).
  const onClientClose = () => {
    if (!res.writableFinished) proxyReq.destroy();
  };
  res.once('close', onClientClose);

  if (a.withBody) {
    // Hold the body until the backend connection is up: a refused connection can then be retried
    // elsewhere with the body intact.
    proxyReq.once('socket', (socket) => {
      const pipeBody = () => {
        a.bodySent = true;
        req.pipe(proxyReq);
      };
      if (socket.connecting) socket.once('connect', pipeBody);
      else pipeBody();
    });
  } else {
    proxyReq.end();
  }

  proxyReq.once('response', (proxyRes) => {
    clearTimeout(timer);
    entry.pool.reportSuccess(u);
    const headers = forwardResponseHeaders(proxyRes.headers);
    const cookie = entry.pool.stickyCookie(u);
    if (cookie && !entry.pool.hasStickyCookie(req.headers.cookie, u)) {
      const prior = headers['set-cookie'];
      headers['set-cookie'] = prior === undefined ? [cookie] : [...(Array.isArray(prior) ? prior : [String(prior)]), cookie];
    }
    let bytes = 0;
    if (ctx.traffic?.active) {
      proxyRes.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.once('close', () => emitRequest(ctx, a, res.statusCode, u, bytes, proxyRes.headers, res.writableFinished ? undefined : 'client closed'));
    }
    try {
      res.writeHead(proxyRes.statusCode ?? 502, headers as http.OutgoingHttpHeaders);
    } catch (error) {
      // A header the client protocol cannot carry (h2 forbids some h1 ones): answer 502 rather than crash.
      proxyRes.resume();
      finish();
      if (!res.headersSent) ctx.fail(req, res, entry, {kind: 'bad-gateway', failures: [{target: target.url, error: `invalid response header (${(error as Error).message})`}]});
      return;
    }
    // Server-sent events: the client must see the headers now, not with the first event.
    if (String(proxyRes.headers['content-type']).startsWith('text/event-stream') && 'flushHeaders' in res) res.flushHeaders();
    proxyRes.pipe(res as NodeJS.WritableStream);
    proxyRes.once('end', finish);
    proxyRes.once('close', finish);
    proxyRes.once('error', () => {
      finish();
      res.destroy();
    });
  });

  proxyReq.once('error', (error: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    res.removeListener('close', onClientClose);
    finish();
    if (res.headersSent) {
      // The response had started: the client must see a broken response, not a truncated "success".
      res.destroy(error);
      return;
    }
    if (res.destroyed || (res as ServerResponse).writableEnded) return;
    const code = error.code ?? 'ERROR';
    if (code === 'ETIMEDOUT_PORTICO') {
      entry.pool.reportFailure(u, 'timeout');
      ctx.fail(req, res, entry, {kind: 'timeout', target: target.url});
      if (ctx.traffic?.active) emitRequest(ctx, a, 504, u, 0, undefined, 'timeout');
      return;
    }
    const method = req.method ?? 'GET';
    const replayable = !a.bodySent || isIdempotent(method);
    // localhost targets: the dev server may listen on ::1 only (Vite on Node >= 17) or 127.0.0.1 only.
    if (CONNECT_ERRORS.has(code) && familyTries + 1 < u.target.dial.length) {
      u.dialIndex = (u.dialIndex + 1) % u.target.dial.length;
      send(ctx, a, u, familyTries + 1);
      return;
    }
    // A pooled keep-alive socket the backend had just closed: the request never reached it.
    if (code === 'ECONNRESET' && proxyReq.reusedSocket && replayable && familyTries < 4) {
      send(ctx, a, u, familyTries + 1);
      return;
    }
    const retryable = CONNECT_ERRORS.has(code) || (replayable && (code === 'ECONNRESET' || code === 'EPIPE'));
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
  });
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
