import {createHash, randomBytes} from 'node:crypto';
import http, {type IncomingMessage} from 'node:http';
import type {Http2ServerRequest, ServerHttp2Stream} from 'node:http2';
import type net from 'node:net';
import type {Duplex} from 'node:stream';
import type {Upstream} from '../balance/upstream.js';
import {Recording} from '../traffic/recording.js';
import {relayedOf} from './relayed.js';
import {upgradeHandshake, type Transport} from '../transport/index.js';
import {forwardRequestHeaders, forwardResponseHeaders} from './headers.js';
import {badGatewayPage, timeoutPage, type FailedTarget} from './pages.js';
import {pageResponse, type ProxyExchange} from './pipeline.js';

/**
 * A WebSocket is an exchange (README "WebSockets"): the route's request passes ran on its handshake
 * before any of this, and a refusal here is the exchange's answer, written by its own response (on the
 * raw socket for HTTP/1.1, on the stream for HTTP/2), so it is logged once like any other.
 */
export interface TunnelContext {
  hop: string;
  transport: Transport;
  /** Milliseconds for the backend to connect and answer the handshake. */
  upgradeTimeoutMs: number;
}

/** An HTTP/1.1 response written on the upgrading socket, for answers that are not a 101; the socket closes after it. */
export function socketResponse(req: IncomingMessage, socket: Duplex): http.ServerResponse {
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as net.Socket);
  res.once('finish', () => {
    res.detachSocket(socket as net.Socket);
    socket.end();
  });
  return res;
}

type Handshake = Awaited<ReturnType<typeof upgradeHandshake>>;

/**
 * The backend handshake, trying the route's instances in turn as forwarding does: an instance that
 * could not be connected to (nothing reached it) gives way to the next one. Undefined when the exchange
 * was answered (502/504) or the client left meanwhile.
 */
async function openBackend(
  ctx: TunnelContext,
  ex: ProxyExchange,
  headers: http.OutgoingHttpHeaders,
  clientGone: () => boolean,
): Promise<{u: Upstream; result: Handshake} | undefined> {
  const {pool} = ex.entry;
  const cookie = ex.requestHeaders.cookie;
  const failures: FailedTarget[] = [];
  let tried: Set<Upstream> | undefined;
  let u = pool.pick({cookie});
  while (u) {
    const attempt: {target: string; at: number; error?: string} = {target: u.target.url, at: Date.now() - ex.started};
    ex.attempts.push(attempt);
    ex.timing.picked ??= attempt.at;
    ex.outcome.target = u.target.url;
    let connected = false;
    pool.begin(u);
    let result: Handshake;
    try {
      result = await upgradeHandshake(ctx.transport, u.target, {
        path: ex.forwardPath,
        headers,
        timeoutMs: ctx.upgradeTimeoutMs,
        onConnected: () => {
          connected = true;
          ex.timing.connected ??= Date.now() - ex.started;
        },
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
      pool.end(u);
      pool.reportFailure(u, code);
      attempt.error = code;
      failures.push({target: u.target.url, error: code});
      if (clientGone()) return undefined;
      if (!connected) {
        (tried ??= new Set()).add(u);
        u = pool.pick({cookie, exclude: tried});
        if (u) continue;
      }
      const timedOut = code === 'timeout' || code === 'ECONNTIMEOUT';
      ex.respond(
        timedOut
          ? pageResponse(504, timeoutPage(ex.entry.key, failures.at(-1)!.target, ctx.upgradeTimeoutMs / 1000))
          : pageResponse(502, badGatewayPage(ex.entry.key, failures)),
      );
      return undefined;
    }
    const chosen = u;
    ex.whenDone(() => pool.end(chosen));
    if (clientGone()) {
      (result.kind === 'switched' ? result.socket : result.response).destroy();
      return undefined;
    }
    const wrong = handshakeProblem(headers, result, ex.method);
    if (wrong) {
      // RFC 6455 §4.1: a client fails a handshake whose accept does not match; RFC 8441: only a 101 opens
      // the tunnel, so a 2xx that did not switch cannot answer the CONNECT. Either way a bad gateway.
      (result.kind === 'switched' ? result.socket : result.response).destroy();
      attempt.error = wrong;
      pool.reportFailure(u, wrong);
      ex.respond(pageResponse(502, badGatewayPage(ex.entry.key, [...failures, {target: u.target.url, error: wrong}])));
      return undefined;
    }
    pool.reportSuccess(u);
    return {u, result};
  }
  ex.respond(pageResponse(502, badGatewayPage(ex.entry.key, [{target: ex.entry.key, error: 'no available instance'}])));
  return undefined;
}

/** The port the client reached portico on (its connection's local port; a worker names it for a relayed one). */
function localPort(req: {socket?: {localPort?: number} | null}): number | undefined {
  try {
    return relayedOf(req)?.port ?? req.socket?.localPort;
  } catch {
    return undefined;
  }
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Why a backend's answer cannot open the tunnel asked for (RFC 6455 §4.2.2, RFC 8441 §5), or undefined. */
function handshakeProblem(sent: http.OutgoingHttpHeaders, result: Handshake, method: string): string | undefined {
  if (result.kind === 'answered')
    return method === 'CONNECT' && (result.response.statusCode ?? 0) < 300 ? 'the backend answered without switching protocols' : undefined;
  const key = sent['sec-websocket-key'];
  if (typeof key !== 'string' || String(sent.upgrade).toLowerCase() !== 'websocket') return undefined;
  const expected = createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
  return result.response.headers['sec-websocket-accept'] === expected ? undefined : 'Sec-WebSocket-Accept does not match the key';
}

/** The backend answered the handshake with a response, not 101: it is the exchange's answer (response passes apply). */
function relayAnswer(ex: ProxyExchange, response: IncomingMessage): void {
  ex.timing.firstByte ??= Date.now() - ex.started;
  ex.respond({
    status: response.statusCode ?? 502,
    headers: forwardResponseHeaders(response.headers) as http.IncomingHttpHeaders,
    body: response,
    source: 'backend',
  });
}

/** Pipe the tunnel both ways; the exchange ends (one event, status 101) when either side closes. */
function track(ex: ProxyExchange, a: Duplex, b: Duplex): void {
  ex.detach();
  ex.answered = true;
  // While a viewer captures, the messages of the session (bounded) go into its detail.
  const recording: Recording | undefined = ex.recording ?? (ex.capturing ? new Recording(ex.started) : undefined);
  ex.recording = recording;
  if (recording) {
    a.on('data', (chunk: Buffer) => recording.wsMessage('client', chunk));
    b.on('data', (chunk: Buffer) => recording.wsMessage('backend', chunk));
  }
  const close = () => {
    a.destroy();
    b.destroy();
    ex.finish(101, 0);
  };
  for (const s of [a, b]) {
    s.once('close', close);
    s.once('error', close);
  }
  b.pipe(a);
  a.pipe(b);
}

/** The backend's 101 as it sent it (names, order, subprotocol, extensions), for the HTTP/1.1 client. */
function switchingHead(response: IncomingMessage): string {
  let head = `HTTP/1.1 101 ${response.statusMessage || 'Switching Protocols'}\r\n`;
  const raw = response.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/**
 * HTTP/1.1 Upgrade: WebSocket, after the request passes let it on. The handshake goes to the backend
 * over the transport; only its 101 turns the client connection into a tunnel. Any other answer is
 * relayed as an ordinary response and the connection then closes.
 */
export async function tunnelUpgrade(ctx: TunnelContext, ex: ProxyExchange, client: Duplex, head: Buffer): Promise<void> {
  const req = ex.req as IncomingMessage;
  const headers = forwardRequestHeaders(req.headers, {
    host: ex.host,
    port: localPort(req),
    clientIp: req.socket.remoteAddress ?? '',
    hop: ctx.hop,
    upgrade: true,
  });
  const opened = await openBackend(ctx, ex, headers, () => client.destroyed);
  if (!opened) return;
  const {result} = opened;
  if (result.kind === 'answered') return relayAnswer(ex, result.response);
  (ex.res as http.ServerResponse).detachSocket(client as net.Socket);
  client.write(switchingHead(result.response));
  // The 101's headers (subprotocol, extensions) are the exchange's response headers in its detail.
  ex.outcome.responseHeaders = result.response.headers;
  if (result.head.length > 0) client.write(result.head);
  if (head.length > 0) result.socket.write(head);
  track(ex, client, result.socket);
}

/**
 * RFC 8441: a WebSocket over an HTTP/2 stream (extended CONNECT, `:protocol websocket`), bridged to an
 * HTTP/1.1 Upgrade to the backend, so Chrome's HMR socket works when the page came over h2. Only the
 * backend's 101 answers the CONNECT with 200; anything else is relayed as the stream's response.
 */
export async function tunnelExtendedConnect(ctx: TunnelContext, ex: ProxyExchange): Promise<void> {
  const req = ex.req as Http2ServerRequest;
  const stream: ServerHttp2Stream = req.stream;
  const headers = forwardRequestHeaders(req.headers, {
    host: ex.host,
    port: localPort(req),
    clientIp: req.socket?.remoteAddress ?? '',
    hop: ctx.hop,
    upgrade: true,
  });
  headers.upgrade = 'websocket';
  // h2 WebSockets carry no key (RFC 8441 §5); the backend's HTTP/1.1 handshake needs one.
  headers['sec-websocket-key'] = randomBytes(16).toString('base64');
  headers['sec-websocket-version'] ??= '13';
  const opened = await openBackend(ctx, ex, headers, () => stream.destroyed);
  if (!opened) return;
  const {result} = opened;
  if (result.kind === 'answered') return relayAnswer(ex, result.response);
  const answer: Record<string, string | number> = {':status': 200};
  const protocol = result.response.headers['sec-websocket-protocol'];
  const extensions = result.response.headers['sec-websocket-extensions'];
  if (protocol) answer['sec-websocket-protocol'] = protocol;
  if (extensions) answer['sec-websocket-extensions'] = extensions;
  stream.respond(answer);
  ex.outcome.responseHeaders = result.response.headers;
  if (result.head.length > 0) stream.write(result.head);
  track(ex, stream, result.socket);
}
