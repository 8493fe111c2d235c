import type {ClientRequest, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders} from 'node:http';
import type net from 'node:net';
import type {TLSSocket} from 'node:tls';
import type {Stream} from 'node:stream';
import {createProxyServer, type ProxyServer} from 'http-proxy-3';
import type {Upstream} from '../balance/upstream.js';
import {CONNECT_ERRORS, isOwnAddress, type Transport} from '../transport/index.js';
import type {ExchangeAttempt, ExchangeResponse} from '../pipeline/exchange.js';
import {forwardRequestHeaders, forwardResponseHeaders} from './headers.js';
import {badGatewayPage, loopPage, timeoutPage, type FailedTarget} from './pages.js';
import {pageResponse, type ProxyExchange} from './pipeline.js';
import {describeFailure, mayRetry, type FailedAttempt} from './retry.js';
import {sendInformation} from './informational.js';

/** Replays of an idempotent request whose pooled connection the backend had just closed. */
const MAX_REPLAYS = 3;

export interface ForwarderOptions {
  /** Our loop marker (X-Portico-Hop). */
  hop: string;
  transport: Transport;
  /** Milliseconds to wait for response headers after the request body was sent, unless the route says otherwise. */
  timeoutMs: number;
  /** portico's own port: a target there is answered 508. */
  port(): number;
}

/** What http-proxy-3 is handed as the request: the outgoing request portico built, with its attempt. */
interface Outgoing {
  method: string;
  url: string;
  headers: OutgoingHttpHeaders;
  httpVersion: string;
  httpVersionMajor: number;
  socket: net.Socket | {destroyed: boolean};
  connection: net.Socket | {destroyed: boolean};
  on(): Outgoing;
  attempt: Attempt;
}

/** A request without a body: http-proxy-3 pipes this instead of the client's (already ended) request. */
const NO_BODY = {pipe: (dest: NodeJS.WritableStream) => (dest.end(), dest)} as unknown as Stream;
const noop = function (this: Outgoing) {
  return this;
};

/**
 * HTTP forwarding on http-proxy-3 (the owner's engine): it builds and sends each attempt's request and
 * reports the response or the error; portico decides what an error means (retry, next instance, page)
 * and writes every response itself through the response passes (selfHandleResponse).
 */
export class Forwarder {
  readonly engine: ProxyServer;

  constructor(readonly options: ForwarderOptions) {
    this.engine = createProxyServer({selfHandleResponse: true, toProxy: true, prependPath: false, secure: false});
    // portico sends headers it built itself (forwardRequestHeaders); http-proxy-3's deleteLength would turn a
    // chunked DELETE body into `Content-Length: 0`, and its timeout/XHeaders passes are off anyway.
    const passes = this.engine as unknown as {webPasses: Array<{name: string}>};
    passes.webPasses = passes.webPasses.filter((p) => p.name === 'stream');
    this.engine.on('proxyReq', (proxyReq: ClientRequest, req: unknown) => (req as Outgoing).attempt.onRequest(proxyReq));
    this.engine.on('proxyRes', (proxyRes: IncomingMessage, req: unknown) => (req as Outgoing).attempt.onResponse(proxyRes));
    // Errors go to each call's callback; this keeps an unexpected one from being an unhandled 'error'.
    this.engine.on('error', () => undefined);
  }

  /** Pick an instance and forward, retrying as RFC 9110 allows; always ends in ex.respond (or the client leaving). */
  forward(ex: ProxyExchange): void {
    new Forwarding(this, ex).start();
  }
}

/** One exchange's tries across instances. */
class Forwarding {
  readonly headers: OutgoingHttpHeaders;
  private tried: Set<Upstream> | undefined;
  private readonly failures: FailedTarget[] = [];
  private replays = 0;

  constructor(
    readonly forwarder: Forwarder,
    readonly ex: ProxyExchange,
  ) {
    this.headers = forwardRequestHeaders(ex.requestHeaders, {
      host: ex.host,
      port: forwarder.options.port(),
      clientIp: ex.client,
      hop: forwarder.options.hop,
    });
    // A body of unknown length (h1 chunked, or h2 without content-length) goes to the backend chunked.
    if (ex.body && this.headers['content-length'] === undefined) this.headers['transfer-encoding'] = 'chunked';
  }

  get timeoutMs(): number {
    return this.ex.entry.route.options?.timeout ?? this.forwarder.options.timeoutMs;
  }

  start(): void {
    const {ex} = this;
    const u = ex.entry.pool.pick({cookie: ex.requestHeaders.cookie});
    if (!u) {
      const down = ex.entry.pool.snapshot().map((t) => ({target: t.target, error: t.weight === 0 ? 'drained (weight 0)' : (t.lastError ?? 'unavailable')}));
      ex.respond(pageResponse(502, badGatewayPage(ex.entry.key, down)));
      return;
    }
    this.attempt(u, this.forwarder.options.transport.address(u.target), 0);
  }

  attempt(u: Upstream, address: string, familyTries: number): void {
    const {ex} = this;
    const port = this.forwarder.options.port();
    if (u.target.port === port && isOwnAddress(u.target, port)) {
      ex.notes.push('loop: the target is portico itself');
      ex.respond(pageResponse(508, loopPage(ex.host)));
      return;
    }
    ex.timing.picked ??= Date.now() - ex.started;
    const record: ExchangeAttempt = {target: u.target.url, at: Date.now() - ex.started};
    ex.attempts.push(record);
    new Attempt(this, u, address, familyTries, record).start();
  }

  /** An attempt failed before any response: move on, replay, or answer 502. */
  failed(a: Attempt, code: string): void {
    const {ex} = this;
    const {target} = a.u;
    const transport = this.forwarder.options.transport;
    // localhost targets: the dev server may listen on ::1 only (Vite on Node >= 17) or 127.0.0.1 only.
    if (!a.connected && CONNECT_ERRORS.has(code) && a.familyTries + 1 < target.dial.length) {
      const other = transport.otherFamily(target, a.address);
      if (other) return this.attempt(a.u, other, a.familyTries + 1);
    }
    const facts: FailedAttempt = {
      method: ex.method,
      written: a.connected,
      reused: a.reused,
      body: ex.body ? ex.body.state : 'none',
      replayable: ex.body ? ex.body.replayable : true,
    };
    if (a.connected && this.replays < MAX_REPLAYS && mayRetry(facts)) {
      this.replays++;
      return this.attempt(a.u, a.address, a.familyTries);
    }
    ex.entry.pool.reportFailure(a.u, code);
    this.failures.push({target: target.url, error: describeFailure(code, facts)});
    // Connect errors (nothing written) always move on to the next instance.
    if (!a.connected && facts.replayable) {
      (this.tried ??= new Set()).add(a.u);
      const next = ex.entry.pool.pick({cookie: ex.requestHeaders.cookie, exclude: this.tried});
      if (next) return this.attempt(next, transport.address(next.target), 0);
    }
    ex.respond(pageResponse(502, badGatewayPage(ex.entry.key, this.failures)));
  }
}

/**
 * The client's socket as http-proxy-3 reads it (only `destroyed`, in its error handler). An HTTP/2
 * request's socket throws ERR_HTTP2_SOCKET_UNBOUND once its session is gone, which would escape there.
 * A class, not an object literal with a getter: one is made per attempt, and literals with accessors are slow to build.
 */
class ClientSocketView {
  constructor(private readonly ex: ProxyExchange) {}

  get destroyed(): boolean {
    try {
      return this.ex.aborted || (this.ex.req.socket?.destroyed ?? true);
    } catch {
      return true;
    }
  }
}

/** One try at one address of one instance, sent by http-proxy-3. */
class Attempt {
  connected = false;
  reused = false;
  private settled = false;
  private responded = false;
  private timedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private proxyReq: ClientRequest | undefined;

  constructor(
    readonly run: Forwarding,
    readonly u: Upstream,
    readonly address: string,
    readonly familyTries: number,
    readonly record: ExchangeAttempt,
  ) {}

  start(): void {
    const {ex, forwarder} = this.run;
    const {target} = this.u;
    ex.entry.pool.begin(this.u);
    const socket = new ClientSocketView(ex);
    const outgoing: Outgoing = {
      method: ex.method,
      url: ex.forwardPath,
      headers: this.run.headers,
      httpVersion: '1.1',
      httpVersionMajor: 1,
      socket,
      connection: socket,
      on: noop,
      attempt: this,
    };
    forwarder.engine.web(
      outgoing as never,
      ex.res as never,
      {
        target: {protocol: target.protocol, host: this.address, hostname: this.address, port: target.port},
        agent: forwarder.options.transport.agent(target, this.address),
        buffer: ex.body ? ex.body.open() : NO_BODY,
      },
      (error: Error) => this.onError(error as NodeJS.ErrnoException),
    );
  }

  /** http-proxy-3 has a socket for the request (new, or reused from the agent's pool). */
  onRequest(proxyReq: ClientRequest): void {
    this.proxyReq = proxyReq;
    const {ex} = this.run;
    if (this.settled) {
      proxyReq.destroy();
      return;
    }
    const socket = proxyReq.socket!;
    const tls = this.u.target.protocol === 'https:';
    // A request that waited in the agent's queue is handed a pooled connection that is already open,
    // and Node leaves reusedSocket false for it: waiting for its 'connect' would wait forever (and
    // leave a listener holding this exchange on that long-lived socket for every such request).
    const open = tls ? (socket as TLSSocket).getFinished() !== undefined : !socket.connecting;
    this.reused = proxyReq.reusedSocket || open;
    if (open) this.onConnected();
    else socket.once(tls ? 'secureConnect' : 'connect', () => this.onConnected());
    proxyReq.on('information', (info: {statusCode: number; headers: IncomingHttpHeaders}) => sendInformation(ex.res, info.statusCode, info.headers));
    // A 101 to a request that asked for no upgrade (RFC 9110 §15.2.2): the connection is no longer HTTP.
    // Without a listener Node drops it silently and nothing would ever answer the client: a 502 instead.
    proxyReq.once('upgrade', (_res: IncomingMessage, socket: net.Socket) => {
      socket.destroy();
      this.onError(Object.assign(new Error('the backend switched protocols unasked'), {code: 'unasked 101'}));
    });
    // The wait for response headers starts once the whole request (body included) is sent: a slow upload is not a slow backend.
    proxyReq.once('finish', () => {
      ex.timing.sent = Date.now() - ex.started;
      if (!this.responded && !this.settled) {
        this.timer = setTimeout(() => this.onTimeout(), this.run.timeoutMs);
        this.timer.unref();
      }
    });
    proxyReq.once('close', () => this.settle());
    // An exchange that ends before the backend answered (a drop, a reset HTTP/2 stream) cancels the
    // backend request, which would otherwise wait for the rest of a body that will not come.
    ex.whenDone(() => {
      if (!this.responded && !this.settled) proxyReq.destroy();
    });
  }

  private onConnected(): void {
    this.connected = true;
    this.run.ex.timing.connected = Date.now() - this.run.ex.started;
    this.run.forwarder.options.transport.answered(this.u.target, this.address);
  }

  onResponse(proxyRes: IncomingMessage): void {
    const {ex} = this.run;
    const pool = ex.entry.pool;
    this.responded = true;
    clearTimeout(this.timer);
    if (this.timedOut || ex.answered) {
      proxyRes.resume();
      return;
    }
    ex.timing.firstByte = Date.now() - ex.started;
    pool.reportSuccess(this.u);
    ex.outcome.target = this.u.target.url;
    ex.outcome.responseHeaders = proxyRes.headers;
    const headers = forwardResponseHeaders(proxyRes.headers) as IncomingHttpHeaders;
    const cookie = pool.stickyCookie(this.u);
    if (cookie && !pool.hasStickyCookie(ex.requestHeaders.cookie, this.u)) {
      const prior = headers['set-cookie'];
      headers['set-cookie'] = prior === undefined ? [cookie] : [...prior, cookie];
    }
    const response: ExchangeResponse = {status: proxyRes.statusCode ?? 502, headers, body: proxyRes, source: 'backend'};
    proxyRes.once('end', () => {
      if (Object.keys(proxyRes.trailers).length > 0) response.trailers = proxyRes.trailers;
    });
    ex.respond(response);
  }

  private onTimeout(): void {
    if (this.responded || this.settled) return;
    const {ex} = this.run;
    this.timedOut = true;
    this.record.error = 'timeout';
    ex.entry.pool.reportFailure(this.u, 'timeout');
    ex.respond(pageResponse(504, timeoutPage(ex.entry.key, this.u.target.url, Math.round(this.run.timeoutMs / 100) / 10)));
    this.proxyReq?.destroy();
    this.settle();
  }

  private onError(error: NodeJS.ErrnoException): void {
    const code = error.code ?? 'ERROR';
    const first = !this.settled;
    this.settle();
    if (!first || this.timedOut) return;
    this.record.error = code;
    const {ex} = this.run;
    // The client went away (http-proxy-3 then aborts the backend request): nothing to answer.
    if (ex.aborted) return;
    // The response had started: the writer makes the client see a broken response.
    if (this.responded || ex.answered) return;
    this.run.failed(this, code);
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.run.ex.entry.pool.end(this.u);
  }
}
