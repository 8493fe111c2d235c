import {randomBytes} from 'node:crypto';
import http, {type IncomingHttpHeaders, type IncomingMessage} from 'node:http';
import type {Http2ServerRequest, ServerHttp2Stream} from 'node:http2';
import type net from 'node:net';
import type {Duplex} from 'node:stream';
import type {Upstream} from '../balance/upstream.js';
import type {Headers} from '../traffic/capture.js';
import type {TrafficSink} from '../traffic/event.js';
import {Recording} from '../traffic/recording.js';
import {upgradeHandshake, type Transport} from '../transport/index.js';
import {forwardRequestHeaders, forwardResponseHeaders, originalHost} from './headers.js';
import type {RouteEntry} from '../pipeline/route-entry.js';
import {writeResponse} from './writer.js';

export interface TunnelContext {
  hop: string;
  transport: Transport;
  /** Milliseconds for the backend to connect and answer the handshake. */
  upgradeTimeoutMs: number;
  traffic?: TrafficSink;
  nextId: () => number;
}

interface TunnelInfo {
  entry: RouteEntry;
  host: string;
  path: string;
  method: string;
  started: number;
  /** The client's handshake headers. */
  headers: IncomingHttpHeaders;
}

/** Called when no tunnel can be made: status and a short reason for the client. */
export type Refuse = (status: number, reason: string, error: string) => void;

function emit(ctx: TunnelContext, info: TunnelInfo, u: Upstream, status: number, error?: string, recording?: Recording): void {
  const sink = ctx.traffic;
  if (!sink?.active) return;
  const id = ctx.nextId();
  const duration = Date.now() - info.started;
  const captured = recording !== undefined && sink.capture !== undefined;
  if (captured) {
    sink.capture!(
      recording.complete({id, started: info.started, method: info.method, host: info.host, url: info.path, clientProtocol: 'ws', backendProtocol: 'http/1.1', route: info.entry.key, requestHeaders: {...info.headers} as Headers, status, timing: {end: duration}, attempts: [{target: u.target.url, at: 0, ...(error ? {error} : {})}], notes: [], ...(error ? {error} : {})}),
    );
  }
  sink.emit({type: 'request', id, time: info.started, method: info.method, host: info.host, path: info.path, status, duration, bytes: 0, target: u.target.url, route: info.entry.key, protocol: 'ws', ...(error ? {error} : {}), ...(captured ? {captured: true} : {})});
}

function track(ctx: TunnelContext, info: TunnelInfo, u: Upstream, status: number, a: Duplex, b: Duplex): void {
  let closed = false;
  // While a viewer captures, the messages of the session (bounded) go into its detail.
  const recording = ctx.traffic?.wantsCapture ? new Recording(info.started) : undefined;
  if (recording) {
    a.on('data', (chunk: Buffer) => recording.wsMessage('client', chunk));
    b.on('data', (chunk: Buffer) => recording.wsMessage('backend', chunk));
  }
  const close = () => {
    if (closed) return;
    closed = true;
    info.entry.pool.end(u);
    a.destroy();
    b.destroy();
    emit(ctx, info, u, status, undefined, recording);
  };
  for (const s of [a, b]) {
    s.once('close', close);
    s.once('error', close);
  }
}

/** The backend's 101 as it sent it (names, order, subprotocol, extensions), for the HTTP/1.1 client. */
function switchingHead(response: IncomingMessage): string {
  let head = `HTTP/1.1 101 ${response.statusMessage || 'Switching Protocols'}\r\n`;
  const raw = response.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${head}\r\n`;
}

const failureStatus = (code: string) => (code === 'timeout' || code === 'ECONNTIMEOUT' ? 504 : 502);

type Handshake = Awaited<ReturnType<typeof upgradeHandshake>>;

/**
 * The steps both tunnels share: the backend handshake with the instance already picked, its failure
 * mapped to a refusal, and a client that left meanwhile. Undefined when there is nothing more to do.
 */
async function openBackend(ctx: TunnelContext, info: TunnelInfo, u: Upstream, path: string, headers: http.OutgoingHttpHeaders, clientGone: () => boolean, refuse: Refuse): Promise<Handshake | undefined> {
  const {pool} = info.entry;
  pool.begin(u);
  let result: Handshake;
  try {
    result = await upgradeHandshake(ctx.transport, u.target, {path, headers, timeoutMs: ctx.upgradeTimeoutMs});
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    pool.end(u);
    pool.reportFailure(u, code);
    emit(ctx, info, u, failureStatus(code), code);
    refuse(failureStatus(code), `portico could not open a WebSocket to ${u.target.url}: ${code}`, code);
    return undefined;
  }
  if (clientGone()) {
    pool.end(u);
    (result.kind === 'switched' ? result.socket : result.response).destroy();
    return undefined;
  }
  pool.reportSuccess(u);
  return result;
}

/**
 * HTTP/1.1 Upgrade: WebSocket. The handshake goes to the backend over the transport; only its 101 turns
 * the client connection into a tunnel. Any other answer is relayed as an ordinary response and the
 * connection then closes: the client connection never becomes a raw pipe to a backend that said no.
 */
export async function tunnelUpgrade(ctx: TunnelContext, entry: RouteEntry, req: IncomingMessage, client: Duplex, head: Buffer, path: string, host: string, refuse: Refuse): Promise<void> {
  const info: TunnelInfo = {entry, host, path: req.url ?? path, method: 'GET', started: Date.now(), headers: req.headers};
  const u = entry.pool.pick({cookie: req.headers.cookie});
  if (!u) return refuse(502, `portico has no available instance for ${entry.key}`, 'no target');
  const headers = forwardRequestHeaders(req.headers, {host: originalHost(req, host), clientIp: req.socket.remoteAddress ?? '', hop: ctx.hop, upgrade: true});
  const result = await openBackend(ctx, info, u, path, headers, () => client.destroyed, refuse);
  if (!result) return;
  if (result.kind === 'answered') {
    relayRefusal(req, client, result.response, () => {
      entry.pool.end(u);
      emit(ctx, info, u, result.response.statusCode ?? 0);
    });
    return;
  }
  const backend = result.socket;
  client.write(switchingHead(result.response));
  if (result.head.length > 0) client.write(result.head);
  if (head.length > 0) backend.write(head);
  backend.pipe(client);
  client.pipe(backend);
  track(ctx, info, u, 101, client, backend);
}

/** The backend answered the handshake with a response, not 101: send it as HTTP, then close the connection. */
function relayRefusal(req: IncomingMessage, client: Duplex, response: IncomingMessage, done: () => void): void {
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(client as net.Socket);
  writeResponse(res, {status: response.statusCode ?? 502, headers: forwardResponseHeaders(response.headers) as http.IncomingHttpHeaders, body: response, source: 'backend'}, 'GET', true, () => {
    res.detachSocket(client as net.Socket);
    client.end();
    done();
  });
}

/**
 * RFC 8441: a WebSocket over an HTTP/2 stream (extended CONNECT, `:protocol websocket`), bridged to an
 * HTTP/1.1 Upgrade to the backend, so Chrome's HMR socket works when the page came over h2. Only the
 * backend's 101 answers the CONNECT with 200; anything else is relayed as the stream's response.
 */
export async function tunnelExtendedConnect(ctx: TunnelContext, entry: RouteEntry, req: Http2ServerRequest, path: string, host: string, refuse: Refuse): Promise<void> {
  const info: TunnelInfo = {entry, host, path: req.url ?? path, method: 'CONNECT', started: Date.now(), headers: req.headers};
  const stream: ServerHttp2Stream = req.stream;
  const u = entry.pool.pick({cookie: req.headers.cookie});
  if (!u) return refuse(502, `portico has no available instance for ${entry.key}`, 'no target');
  const headers = forwardRequestHeaders(req.headers, {host: originalHost(req, host), clientIp: req.socket?.remoteAddress ?? '', hop: ctx.hop, upgrade: true});
  headers.upgrade = 'websocket';
  // h2 WebSockets carry no key (RFC 8441 §5); the backend's HTTP/1.1 handshake needs one.
  headers['sec-websocket-key'] = randomBytes(16).toString('base64');
  headers['sec-websocket-version'] ??= '13';
  const result = await openBackend(ctx, info, u, path, headers, () => stream.destroyed, refuse);
  if (!result) return;
  if (result.kind === 'answered') {
    const {response} = result;
    const out = forwardResponseHeaders(response.headers);
    try {
      stream.respond({...out, ':status': response.statusCode ?? 502});
      response.pipe(stream);
    } catch {
      if (!stream.destroyed) stream.respond({':status': 502}, {endStream: true});
      response.destroy();
    }
    response.once('close', () => {
      entry.pool.end(u);
      emit(ctx, info, u, response.statusCode ?? 0);
    });
    return;
  }
  const answer: Record<string, string | number> = {':status': 200};
  const protocol = result.response.headers['sec-websocket-protocol'];
  const extensions = result.response.headers['sec-websocket-extensions'];
  if (protocol) answer['sec-websocket-protocol'] = protocol;
  if (extensions) answer['sec-websocket-extensions'] = extensions;
  stream.respond(answer);
  const backend = result.socket;
  if (result.head.length > 0) stream.write(result.head);
  backend.pipe(stream);
  stream.pipe(backend);
  track(ctx, info, u, 101, stream, backend);
}
