import net from 'node:net';
import tls from 'node:tls';
import type {Target} from '../routes/types.js';
import {ResponseParser, type ResponseHead} from './response-parser.js';

/**
 * portico's HTTP/1.1 client for backends: keep-alive connections per address, each socket with one
 * set of listeners for its whole life, and the response parsed by ResponseParser. One request at a
 * time per connection (no pipelining: dev servers do not all survive it).
 */

/** What one request on a connection reports; exactly one of end() or error() ends it. */
export interface Exchange {
  head(head: ResponseHead): void;
  body(chunk: Buffer): void;
  end(): void;
  /** The connection failed. `code` is a Node error code (ECONNRESET, EBADRESPONSE...). */
  error(code: string, message: string): void;
}

export interface BackendPoolOptions {
  /** Close a connection idle this long (ms). Default 4000: under Node's 5 s server keep-alive, so we rarely reuse one the backend is closing. */
  idleMs?: number;
  /** Idle connections kept per address. Default 256. */
  maxIdle?: number;
}

export class BackendConnection {
  private exchange: Exchange | undefined;
  private parser: ResponseParser | undefined;
  /** Requests this connection carried; > 1 means the current one reuses a pooled socket. */
  uses = 0;
  idleSince = 0;
  private failed = false;

  constructor(
    readonly socket: net.Socket,
    readonly key: string,
    private readonly pool: BackendPool,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? 'ERROR', error.message));
    socket.on('close', () => {
      this.pool.forget(this);
      this.fail('ECONNRESET', 'the backend closed the connection');
    });
  }

  /** This request reuses a connection an earlier request left open (the backend may have closed it meanwhile). */
  get reused(): boolean {
    return this.uses > 1;
  }

  /** Send a request head (and the body, if any, is written by the caller with write()). */
  begin(head: string, exchange: Exchange, headRequest: boolean): void {
    this.uses++;
    this.failed = false;
    this.exchange = exchange;
    this.parser = new ResponseParser(exchange, headRequest);
    // The previous response may have ended while its slow client held this socket paused.
    if (this.socket.isPaused()) this.socket.resume();
    this.socket.write(head, 'latin1');
  }

  /** The caller gave up (client gone, timeout): the connection cannot be reused. */
  abort(): void {
    this.exchange = undefined;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const parser = this.parser;
    if (!parser || !this.exchange) {
      // Bytes nobody asked for on an idle connection: its state is unknown, drop it.
      this.socket.destroy();
      return;
    }
    try {
      parser.execute(chunk);
    } catch (error) {
      this.fail('EBADRESPONSE', (error as Error).message);
      this.socket.destroy();
      return;
    }
    if (!parser.done) return;
    this.exchange = undefined;
    this.parser = undefined;
    if (parser.extra || !parser.keepAlive) this.socket.destroy();
    else this.pool.release(this);
  }

  private onEnd(): void {
    const parser = this.parser;
    if (parser && this.exchange && parser.delimitedByClose) {
      this.exchange = undefined;
      parser.finish();
    }
    this.socket.destroy();
  }

  private fail(code: string, message: string): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.parser = undefined;
    if (exchange && !this.failed) {
      this.failed = true;
      exchange.error(code, message);
    }
  }
}

/** Keep-alive connections per backend address, newest first (LIFO keeps the hot ones hot). */
export class BackendPool {
  private readonly idle = new Map<string, BackendConnection[]>();
  private readonly idleMs: number;
  private readonly maxIdle: number;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(options: BackendPoolOptions = {}) {
    this.idleMs = options.idleMs ?? 4000;
    this.maxIdle = options.maxIdle ?? 256;
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, this.idleMs)).unref();
  }

  /** An idle connection to `address` of `target`, or undefined. */
  take(target: Target, address: string): BackendConnection | undefined {
    const list = this.idle.get(poolKey(target, address));
    return list?.pop();
  }

  /** Dial a new connection; `ready` gets it once connected (TLS handshaken for https targets). */
  connect(target: Target, address: string, ready: (conn: BackendConnection) => void, failed: (code: string, message: string) => void): () => void {
    const socket =
      target.protocol === 'https:'
        ? // Backends are local dev servers with self-signed or portico certs: an https target is not verified.
          tls.connect({host: address, port: target.port, servername: net.isIP(target.hostname) ? undefined : target.hostname, rejectUnauthorized: false})
        : net.connect({host: address, port: target.port});
    const onError = (error: NodeJS.ErrnoException) => {
      socket.destroy();
      failed(error.code ?? 'ERROR', error.message);
    };
    socket.once('error', onError);
    socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      socket.removeListener('error', onError);
      socket.setNoDelay(true);
      ready(new BackendConnection(socket, poolKey(target, address), this));
    });
    return () => {
      socket.removeListener('error', onError);
      socket.on('error', () => {});
      socket.destroy();
    };
  }

  release(conn: BackendConnection): void {
    if (this.closed || conn.socket.destroyed) {
      conn.socket.destroy();
      return;
    }
    let list = this.idle.get(conn.key);
    if (!list) this.idle.set(conn.key, (list = []));
    if (list.length >= this.maxIdle) {
      conn.socket.destroy();
      return;
    }
    conn.idleSince = Date.now();
    list.push(conn);
  }

  forget(conn: BackendConnection): void {
    const list = this.idle.get(conn.key);
    const i = list?.indexOf(conn) ?? -1;
    if (i !== -1) list!.splice(i, 1);
  }

  /** Idle connections per address, for tests and status. */
  idleCount(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const list of this.idle.values()) for (const conn of list.splice(0)) conn.socket.destroy();
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [key, list] of this.idle) {
      // Oldest first: the list is LIFO, so stale ones sit at the front.
      let stale = 0;
      while (stale < list.length && list[stale]!.idleSince <= cutoff) stale++;
      for (const conn of list.splice(0, stale)) conn.socket.destroy();
      if (list.length === 0) this.idle.delete(key);
    }
  }
}

function poolKey(target: Target, address: string): string {
  return `${target.protocol}//${address}:${target.port}/${target.hostname}`;
}

const LINE_BREAK = /[\r\n]/;
const LINE_BREAKS = /[\r\n]/g;

/** One header line; a value never carries CR or LF (Node's parsers refuse them, but a value we built might). */
const line = (name: string, value: unknown) => {
  const text = String(value);
  return `${name}: ${LINE_BREAK.test(text) ? text.replace(LINE_BREAKS, '') : text}\r\n`;
};

/** The request line and headers, as the backend will read them. */
export function requestHead(method: string, path: string, headers: Record<string, unknown>): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) head += line(name, v);
    else head += line(name, value);
  }
  return `${head}\r\n`;
}
