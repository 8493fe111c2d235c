/* eslint-disable @typescript-eslint/no-explicit-any -- listeners are typed by the stream they are passed to */
import type {IncomingHttpHeaders, OutgoingHttpHeaders} from 'node:http';
import http2, {type ServerHttp2Stream} from 'node:http2';
import type {Socket} from 'node:net';

/**
 * HTTP/2 requests served straight from the stream, without Node's compatibility layer: per request
 * the compat layer builds an Http2ServerRequest and an Http2ServerResponse (two streams of its own)
 * and relays events between them. Measured in portico under h2load, skipping it was within this
 * machine's noise (TLS and the backend hop dominate), so it is no speed claim; these two small views give forward() and the error pages the part of the
 * request/response surface they use. CONNECT (WebSockets) and `Expect` still go through compat.
 */
// biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type, which the stream's overloads take
type Listener = (...args: any[]) => void;

class StreamView {
  constructor(readonly stream: ServerHttp2Stream) {}

  on(event: string, listener: Listener): this {
    this.stream.on(event, listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    this.stream.once(event, listener);
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    this.stream.removeListener(event, listener);
    return this;
  }
}

export class H2Request extends StreamView {
  readonly httpVersionMajor = 2;
  readonly method: string;
  readonly url: string;

  constructor(
    stream: ServerHttp2Stream,
    readonly headers: IncomingHttpHeaders,
  ) {
    super(stream);
    this.method = (headers[':method'] as string | undefined) ?? 'GET';
    this.url = (headers[':path'] as string | undefined) ?? '';
  }

  get socket(): Socket | undefined {
    return this.stream.session?.socket as Socket | undefined;
  }

  get complete(): boolean {
    return this.stream.readableEnded;
  }

  pause(): this {
    this.stream.pause();
    return this;
  }

  resume(): this {
    this.stream.resume();
    return this;
  }
}

export class H2Response extends StreamView {
  statusCode = 200;
  private trailers: OutgoingHttpHeaders | undefined;

  get headersSent(): boolean {
    return this.stream.headersSent;
  }

  get destroyed(): boolean {
    return this.stream.destroyed;
  }

  get writableEnded(): boolean {
    return this.stream.writableEnded;
  }

  /**
   * The stream closed (the client reset it, or its connection went) before this response ended. Node
   * then ends the writable side itself, so 'finish' alone does not mean the client got the response.
   */
  get aborted(): boolean {
    return this.stream.aborted;
  }

  /**
   * The whole response went out. A stream that nghttp2 closed cleanly after our END_STREAM can emit
   * 'close' before its writable side's 'finish' (a request with a body does it): ended by us and
   * closed with NO_ERROR counts as finished too.
   */
  get writableFinished(): boolean {
    const s = this.stream;
    if (s.aborted) return false;
    return s.writableFinished || (s.writableEnded && s.closed && s.rstCode === http2.constants.NGHTTP2_NO_ERROR);
  }

  /** Throws, as compat does, on a header HTTP/2 cannot carry (Connection, Keep-Alive...). */
  writeHead(status: number, headers: OutgoingHttpHeaders = {}): this {
    this.statusCode = status;
    if (this.stream.destroyed || this.stream.headersSent) return this;
    // The headers object is the caller's own, built for this response: no copy.
    headers[':status'] = status;
    // A response that announces trailers keeps the stream open after its last DATA frame for them.
    if (headers.trailer === undefined) this.stream.respond(headers);
    else {
      this.stream.respond(headers, {waitForTrailers: true});
      this.stream.once('wantTrailers', () => this.stream.sendTrailers(this.trailers ?? {}));
    }
    return this;
  }

  addTrailers(trailers: OutgoingHttpHeaders): void {
    this.trailers = trailers;
  }

  /** A 1xx (103 Early Hints) before the final response. */
  writeInformation(status: number, headers: OutgoingHttpHeaders): void {
    if (!this.stream.headersSent && !this.stream.destroyed) this.stream.additionalHeaders({...headers, ':status': status});
  }

  flushHeaders(): void {
    // respond() already sent them.
  }

  write(chunk: Buffer | string): boolean {
    return this.stream.write(chunk);
  }

  end(chunk?: Buffer | string): this {
    if (!this.stream.headersSent && !this.stream.destroyed) this.stream.respond({':status': this.statusCode});
    if (chunk === undefined) this.stream.end();
    else this.stream.end(chunk);
    return this;
  }

  destroy(error?: Error): this {
    this.stream.destroy(error);
    return this;
  }
}
