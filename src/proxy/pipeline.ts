import type {IncomingHttpHeaders, IncomingMessage} from 'node:http';
import type {Http2ServerRequest} from 'node:http2';
import {Readable} from 'node:stream';
import type {TrafficSink} from '../traffic/event.js';
import type {Recording} from '../traffic/recording.js';
import type {Exchange, ExchangeAttempt, ExchangeResponse, ExchangeTiming, RouteEntry, ServedCopy} from '../pipeline/exchange.js';
import type {RequestBody} from './body.js';
import {H2Request} from './h2stream.js';
import {publish, type ExchangeRecord} from './record.js';
import {relayedOf, type Relayed} from './relayed.js';
import {writeResponse, type ProxyResponse, type WriteResult} from './writer.js';

export type ProxyRequest = IncomingMessage | Http2ServerRequest | H2Request;

/** What the pipeline shares across exchanges. */
export interface PipelineContext {
  traffic?: TrafficSink;
  nextId(): number;
}

/** Sent to the backend and forwarded: the route's target that served, and what it sent back. */
interface Outcome {
  target?: string;
  responseHeaders?: IncomingHttpHeaders;
}

/**
 * One request through the pipeline (the Exchange of pipeline/exchange.ts): request passes, forwarding, response
 * passes, the write to the client and, once it is all over, the traffic event.
 */
export class ProxyExchange implements Exchange {
  readonly id: number;
  readonly started = Date.now();
  readonly attempts: ExchangeAttempt[] = [];
  readonly timing: ExchangeTiming = {};
  readonly notes: string[] = [];
  readonly secrets: string[] = [];
  readonly protocol: 'h1' | 'h2';
  /** Set when the response (or a drop) has been decided; later answers are ignored. */
  answered = false;
  aborted = false;
  /** A WebSocket handshake (HTTP/1.1 Upgrade or RFC 8441 CONNECT) rather than an ordinary request. */
  websocket = false;
  readonly outcome: Outcome = {};
  /** The request body, held for replay, when the request has one (set before the request passes run). */
  body: RequestBody | undefined;
  recording: Recording | undefined;
  /** Set when a worker relayed this request (relay.ts): the client it names, not the worker's socket. */
  readonly relayed: Relayed | undefined;
  private finished = false;
  private readonly onEnd: Array<() => void> = [];

  constructor(
    readonly ctx: PipelineContext,
    readonly req: ProxyRequest,
    readonly res: ProxyResponse,
    readonly host: string,
    public forwardPath: string,
    readonly entry: RouteEntry,
    readonly copy?: ServedCopy,
  ) {
    this.id = ctx.nextId();
    this.relayed = relayedOf(req);
    this.protocol = this.relayed?.protocol ?? (req.httpVersionMajor === 2 ? 'h2' : 'h1');
    res.once('close', this.onClose);
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get url(): string {
    return this.req.url ?? '/';
  }

  get requestHeaders(): IncomingHttpHeaders {
    return this.req.headers;
  }

  get requestBody(): Readable {
    return this.req instanceof H2Request ? this.req.stream : (this.req as Readable);
  }

  get capturing(): boolean {
    return this.ctx.traffic?.wantsCapture === true;
  }

  get client(): string {
    return this.relayed ? this.relayed.client : (this.req.socket?.remoteAddress ?? '');
  }

  /** Run `fn` when the exchange is over (frees instance counts, request body buffers). */
  whenDone(fn: () => void): void {
    if (this.finished) fn();
    else this.onEnd.push(fn);
  }

  respond(response: ExchangeResponse): void {
    if (this.answered || this.aborted) {
      response.body.resume();
      return;
    }
    this.answered = true;
    const passes = this.entry.responsePasses;
    if (passes.length === 0) this.write(response);
    else this.runResponsePasses(response);
  }

  drop(): void {
    if (this.answered) return;
    this.answered = true;
    const res = this.res as {stream?: {close(code: number): void}; socket?: {destroy(): void} | null};
    // HTTP/2: reset this stream only (the connection carries others); HTTP/1.1: the connection.
    if (res.stream) res.stream.close(2 /* INTERNAL_ERROR */);
    else res.socket?.destroy();
    this.finish(0, 0, 'dropped');
  }

  /**
   * Response passes in order. A pass that answers synchronously costs no promise: capture is registered
   * on every route and returns at once when nobody watches, so the common path stays synchronous.
   */
  private runResponsePasses(response: ExchangeResponse, from = 0): void {
    const passes = this.entry.responsePasses;
    let current = response;
    for (let i = from; i < passes.length; i++) {
      let result: ExchangeResponse | Promise<ExchangeResponse>;
      try {
        result = passes[i]!(this, current);
      } catch (error) {
        this.notes.push(`response pass failed: ${(error as Error).message}`);
        break;
      }
      if (result instanceof Promise) {
        const last = current;
        result.then(
          (next) => this.runResponsePasses(next, i + 1),
          (error: Error) => {
            this.notes.push(`response pass failed: ${error.message}`);
            this.runResponsePasses(last, passes.length);
          },
        );
        return;
      }
      current = result;
    }
    if (this.aborted) {
      current.body.resume();
      return;
    }
    this.write(current);
  }

  private write(response: ExchangeResponse): void {
    if (this.timing.firstByte === undefined && response.source !== 'backend') this.timing.firstByte = Date.now() - this.started;
    // What the client gets, after every pass (no hop-by-hop headers): what the traffic view shows.
    this.outcome.responseHeaders = response.headers;
    const status = response.status;
    writeResponse(this.res, response, this.method, this.req.httpVersionMajor !== 2, (result: WriteResult) =>
      this.finish(status, result.bytes, result.error ?? this.errorOf(response)),
    );
  }

  private errorOf(response: ExchangeResponse): string | undefined {
    return response.source === 'portico' && response.status >= 500 ? this.attempts.at(-1)?.error : undefined;
  }

  private readonly onClose = () => {
    if (this.finished) return;
    // An HTTP/2 stream torn down with its session reports its writable side finished: no headers sent means gone too.
    if (!this.res.writableFinished || !this.res.headersSent) this.aborted = true;
    // Closed before any answer was written (client gone while waiting): still one event.
    if (this.aborted && !this.res.headersSent) this.finish(0, 0, 'client closed');
  };

  /** The exchange is over: timings, then the traffic event, exactly once. */
  finish(status: number, bytes: number, error?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.timing.end = Date.now() - this.started;
    this.body?.close();
    for (const fn of this.onEnd.splice(0)) fn();
    const traffic = this.ctx.traffic;
    if (!traffic?.active) return;
    // Optional fields assigned, not spread: once per request, each spread built an object of its own.
    const record: ExchangeRecord = {
      id: this.id,
      started: this.started,
      method: this.method,
      host: this.host,
      url: this.url,
      protocol: this.websocket ? 'ws' : this.protocol,
      status,
      bytes,
      route: this.entry.key,
      requestHeaders: this.req.headers,
      timing: this.timing,
      attempts: this.attempts,
      notes: this.notes,
    };
    if (error) record.error = error;
    if (this.outcome.target) record.target = this.outcome.target;
    if (this.outcome.responseHeaders) record.responseHeaders = this.outcome.responseHeaders;
    if (this.recording) record.recording = this.recording;
    if (this.secrets.length > 0) record.secrets = this.secrets;
    publish(traffic, record);
  }

  /**
   * A WebSocket tunnel takes the connection over once the backend switched protocols: the exchange
   * stops watching the response it will never write, and the tunnel calls finish() when it closes.
   */
  detach(): void {
    this.res.removeListener('close', this.onClose);
  }
}

/** Run the route's request passes; resolves true when one of them answered. Synchronous passes cost no promise. */
export function runRequestPasses(ex: ProxyExchange, then: () => void): void {
  const passes = ex.entry.requestPasses;
  let i = 0;
  const step = (): void => {
    while (i < passes.length) {
      if (ex.answered || ex.aborted) return;
      const result = passes[i++]!(ex);
      if (result === 'answered') return;
      if (result !== 'next') {
        result.then(
          (r) => (r === 'answered' ? undefined : step()),
          (error: Error) => {
            ex.notes.push(`request pass failed: ${error.message}`);
            step();
          },
        );
        return;
      }
    }
    if (!ex.answered && !ex.aborted) then();
  };
  step();
}

/** A body-less response of portico's own (pages), as an ExchangeResponse. */
export function pageResponse(status: number, html: string, extra: IncomingHttpHeaders = {}): ExchangeResponse {
  return {
    status,
    headers: {'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(html)), 'cache-control': 'no-store', ...extra},
    body: Readable.from([Buffer.from(html)]),
    source: 'portico',
  };
}
