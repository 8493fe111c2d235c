import {randomBytes} from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import type {Duplex} from 'node:stream';
import type {SecureContext} from 'node:tls';
import {Transport} from '../transport/index.js';
import type {ProxyOptions, RunningProxy} from './types.js';
import {RequestBody, type BodySource} from './body.js';
import {Forwarder} from './engine.js';
import {HOP_HEADER, hasBody, requestHost} from './headers.js';
import {LOOPBACK, listenAll, sniffingListener} from './listen.js';
import {badRequestPage, loopPage, unknownHostPage} from './pages.js';
import {ProxyExchange, runRequestPasses, type ProxyRequest} from './pipeline.js';
import {isHttp09, refuseEdges} from './edges.js';
import {captureLocal, type LocalAnswer} from './local-capture.js';
import type {RouteEntry} from '../pipeline/route-entry.js';
import {RouteTable} from './table.js';
import {tunnelExtendedConnect, tunnelUpgrade} from './websocket.js';
import {H2Request, H2Response} from './h2stream.js';
import type {ProxyResponse} from './writer.js';
import {forwardPath} from '../routes/match.js';
import {normalizePath} from '../routes/path.js';

export type {ProxyOptions, RunningProxy} from './types.js';

/** Paths that need normalising: dot segments, doubled slashes, percent-escapes. Most do not. */
const NEEDS_NORMALIZING = /%|\/\.|\/\/|\\/;

/** Defaults of the limits in ProxyOptions (README "Limits"). */
export const DEFAULTS = {timeoutMs: 30_000, headersTimeoutMs: 20_000, maxConcurrentStreams: 250, h2IdleMs: 120_000, upgradeTimeoutMs: 10_000} as const;

/** Start the HTTPS proxy: TLS (h2 + http/1.1) and a plain-HTTP redirect on one loopback port. */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const hop = randomBytes(6).toString('hex');
  const traffic = options.traffic;
  let port = options.port;
  let nextId = 1;
  const table = new RouteTable({port: () => port, onHealth: (event) => traffic?.active && traffic.emit(event)});
  table.set(options.routes ?? []);
  const certs = options.certs;
  const transport = new Transport({maxSockets: options.maxBackendConnections, idleMs: options.backendIdleMs});
  const forwarder = new Forwarder({hop, transport, timeoutMs: options.backendTimeout ?? DEFAULTS.timeoutMs, port: () => port});
  const pipeline = {traffic, nextId: () => nextId++};
  const tunnels = {hop, transport, upgradeTimeoutMs: options.upgradeTimeout ?? DEFAULTS.upgradeTimeoutMs, traffic, nextId: () => nextId++};

  /** Answer with one of portico's pages; returns what was sent (for the traffic view), or undefined. */
  const sendPage = (res: ProxyResponse, status: number, html: string): LocalAnswer | undefined => {
    if (res.headersSent || res.destroyed) return undefined;
    const headers = {'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(html)), 'cache-control': 'no-store'};
    res.writeHead(status, {...headers});
    (res as H2Response).end(html);
    return {headers, body: html};
  };

  /** Events for requests portico answered itself before any route (no backend), with what it sent. */
  const emitLocal = (req: ProxyRequest, host: string, status: number, started: number, error: string, sent?: LocalAnswer) => {
    if (!traffic?.active) return;
    const id = nextId++;
    const captured = sent !== undefined && traffic.wantsCapture === true && traffic.capture !== undefined;
    if (captured) traffic.capture!(captureLocal(id, req, host, status, started, error, sent));
    const bytes = sent ? Buffer.byteLength(sent.body) : 0;
    traffic.emit({type: 'request', id, time: started, method: req.method ?? 'GET', host, path: req.url ?? '/', status, duration: Date.now() - started, bytes, protocol: req.httpVersionMajor === 2 ? 'h2' : 'h1', error, ...(captured ? {captured: true} : {}), ...(traffic.wantsHeaders ? {requestHeaders: req.headers as Record<string, string | string[]>, ...(sent ? {responseHeaders: sent.headers} : {})} : {})});
  };

  /** Route a request; answers 400/404/508 itself and returns undefined, or the match. */
  const route = (req: ProxyRequest, res: ProxyResponse | undefined, started: number): {entry: RouteEntry; path: string; host: string} | undefined => {
    const url = req.url ?? '';
    const host = requestHost(req.headers);
    const reject = (status: number, html: string, error: string) => {
      const sent = res ? sendPage(res, status, html) : undefined;
      emitLocal(req, host ?? '', status, started, error, sent);
      return undefined;
    };
    if (url.charCodeAt(0) !== 47 /* '/' */) return reject(400, badRequestPage(`portico does not proxy absolute-form requests (${url.slice(0, 200)}).`), 'absolute-form');
    if (!host) return reject(400, badRequestPage('The request names no host.'), 'no host');
    if (req.headers[HOP_HEADER] === hop) return reject(508, loopPage(host), 'loop');
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const path = NEEDS_NORMALIZING.test(rawPath) ? normalizePath(rawPath.replace(/\\/g, '/')) : rawPath;
    const entry = table.match(host, path);
    if (!entry) return reject(404, unknownHostPage(host, table.links()), 'no route');
    return {entry, host, path: forwardPath(entry.path, entry.route.stripPrefix, q === -1 ? path : path + url.slice(q))};
  };

  let inflight = 0;
  const onRequestEnd = () => {
    inflight--;
  };
  const headersTimeout = options.headersTimeout ?? DEFAULTS.headersTimeoutMs;
  const onRequest = (req: ProxyRequest, res: ProxyResponse) => {
    const started = Date.now();
    inflight++;
    res.once('close', onRequestEnd);
    const h1 = req instanceof http.IncomingMessage;
    if (h1) {
      guardHeaders(req.socket, headersTimeout, res);
      const edge = refuseEdges(req);
      if (edge) {
        (res as http.ServerResponse).shouldKeepAlive = false;
        const sent = sendPage(res, edge.status, badRequestPage(edge.reason));
        return emitLocal(req, requestHost(req.headers) ?? '', edge.status, started, edge.error, sent);
      }
    }
    const match = route(req, res, started);
    if (!match) return;
    const ex = new ProxyExchange(pipeline, req, res, match.host, match.path, match.entry);
    const stream = (req as {stream?: http2.ServerHttp2Stream}).stream;
    if (hasBody(req.headers, !h1, ex.method, stream?.endAfterHeaders)) ex.body = new RequestBody(req as unknown as BodySource);
    runRequestPasses(ex, () => forwarder.forward(ex));
  };

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    disarmGuard(socket);
    const started = Date.now();
    const refuse = (status: number, reason: string, error: string) => {
      const body = `${reason}\n`;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      emitLocal(req, requestHost(req.headers) ?? '', status, started, error);
    };
    const edge = refuseEdges(req);
    if (edge) return refuse(edge.status, edge.reason, edge.error);
    // Only WebSocket is ever tunnelled. Any other protocol (h2c, TLS/1.0...) is ignored, as RFC 9110
    // §7.8 lets a server do: the request is answered as ordinary HTTP, and the connection then closes.
    if (String(req.headers.upgrade).toLowerCase() !== 'websocket') return serveIgnoringUpgrade(req, socket, head);
    const url = req.url ?? '';
    const host = requestHost(req.headers);
    if (url.charCodeAt(0) !== 47 || !host) return refuse(400, 'Bad request', 'bad upgrade');
    if (req.headers[HOP_HEADER] === hop) return refuse(508, 'Loop detected', 'loop');
    const match = route(req, undefined, started);
    if (!match) return refuse(404, `portico has no route for ${host}`, 'no route');
    void tunnelUpgrade(tunnels, match.entry, req, socket, head, match.path, match.host, refuse);
  };

  /** An Upgrade portico does not tunnel: strip it and serve the request on this socket as plain HTTP/1.1. */
  const serveIgnoringUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (head.length > 0) socket.unshift(head);
    delete req.headers.upgrade;
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as net.Socket);
    res.once('finish', () => {
      res.detachSocket(socket as net.Socket);
      socket.end();
    });
    onRequest(req, res);
  };

  // h2 CONNECT arrives as (req, res); h1 CONNECT as (req, socket, head). Only RFC 8441 WebSockets pass.
  const onConnect = (req: ProxyRequest, resOrSocket: ProxyResponse | net.Socket) => {
    const started = Date.now();
    if (req instanceof http.IncomingMessage) {
      const socket = resOrSocket as net.Socket;
      socket.on('error', () => socket.destroy());
      disarmGuard(socket);
      const edge = refuseEdges(req) ?? {status: 400, reason: 'portico is not a forward proxy (CONNECT)', error: 'CONNECT'};
      emitLocal(req, requestHost(req.headers) ?? '', edge.status, started, edge.error);
      const body = `${edge.reason}\n`;
      socket.end(`HTTP/1.1 ${edge.status} ${http.STATUS_CODES[edge.status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const res = resOrSocket as ProxyResponse;
    const h2req = req as http2.Http2ServerRequest;
    if (h2req.headers[':protocol'] !== 'websocket') {
      sendPage(res, 400, badRequestPage('portico is not a forward proxy (CONNECT).'));
      emitLocal(req, requestHost(req.headers) ?? '', 400, started, 'CONNECT');
      return;
    }
    const match = route(req, res, started);
    if (!match) return;
    void tunnelExtendedConnect(tunnels, match.entry, h2req, match.path, match.host, (status, _reason, error) => {
      if (!h2req.stream.destroyed && !h2req.stream.headersSent) h2req.stream.respond({':status': status}, {endStream: true});
      emitLocal(req, match.host, status, started, error);
    });
  };

  const fallback = await certs.contextFor('localhost');
  const SNICallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => {
    const cached = certs.cachedContext(servername);
    if (cached) return cb(null, cached);
    certs.contextFor(servername).then(
      (context) => cb(null, context),
      // A name outside .localhost, or garbage: serve the localhost certificate and let routing say 404.
      () => cb(null, fallback),
    );
  };
  const leaf = await certs.leafFor('localhost');
  const tlsServer = http2.createSecureServer({
    cert: leaf.certPem,
    key: leaf.keyPem,
    SNICallback,
    allowHTTP1: true,
    ALPNProtocols: ['h2', 'http/1.1'],
    // maxConcurrentStreams is advertised in our SETTINGS and caps what one client connection can make
    // portico hold (peerMaxConcurrentStreams would only limit our own side). Browsers open few connections
    // but many streams (dev servers' pages load hundreds of modules); 250 streams never starve a page.
    settings: {enableConnectProtocol: true, maxConcurrentStreams: options.maxConcurrentStreams ?? DEFAULTS.maxConcurrentStreams},
  });
  tlsServer.on('secureConnection', (socket) => {
    if (socket.alpnProtocol === 'h2') return;
    guardHeaders(socket, headersTimeout);
    // HTTP/0.9 (`GET /` and no version) has no HTTP/1.x answer: close at once.
    socket.once('data', (chunk: Buffer) => isHttp09(chunk) && socket.destroy());
  });
  tlsServer.on('request', onRequest);
  // Adding that 'request' listener made Node install its compat 'stream' listener. Keep it for CONNECT
  // (WebSockets over h2) and Expect: 100-continue; every other h2 request is served from the bare stream.
  const compat = tlsServer.listeners('stream').at(-1) as ((...args: unknown[]) => void) | undefined;
  if (compat) {
    tlsServer.removeListener('stream', compat);
    tlsServer.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
      if (headers[':method'] === 'CONNECT' || headers.expect !== undefined) {
        compat.call(tlsServer, stream, headers, ...rest);
        return;
      }
      stream.on('error', ignore);
      onRequest(new H2Request(stream, headers), new H2Response(stream));
    });
  }
  tlsServer.on('upgrade', onUpgrade);
  tlsServer.on('connect', onConnect as never);
  tlsServer.on('sessionError', () => {});
  tlsServer.on('tlsClientError', () => {});
  tlsServer.on('clientError', answerClientError);

  const plainServer = http.createServer((req, res) => {
    const host = requestHost(req.headers);
    const url = req.url ?? '/';
    if (!host || url.charCodeAt(0) !== 47) {
      res.writeHead(400, {'content-type': 'text/plain'}).end('portico serves HTTPS; plain HTTP requests get a redirect to https.\n');
      return;
    }
    const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    res.writeHead(308, {location: `https://${hostPart}${port === 443 ? '' : `:${port}`}${url}`, 'content-length': 0, connection: 'close'}).end();
  });
  plainServer.on('clientError', answerClientError);

  const connections = new Set<net.Socket>();
  const make = () => {
    const server = sniffingListener(tlsServer, plainServer);
    server.on('connection', (socket: net.Socket) => {
      connections.add(socket);
      socket.once('close', () => connections.delete(socket));
    });
    return server;
  };
  const bound = await listenAll(make, options.hosts ?? LOOPBACK, options.port);
  port = bound.port;
  const sessions = new Set<http2.ServerHttp2Session>();
  const h2Idle = options.h2IdleTimeout ?? DEFAULTS.h2IdleMs;
  tlsServer.on('session', (session) => {
    // An idle HTTP/2 connection is closed gracefully (GOAWAY): streams still open finish first.
    if (h2Idle > 0) session.setTimeout(h2Idle, () => session.close());
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });

  return {
    get port() {
      return port;
    },
    setRoutes(routes) {
      table.set(routes);
    },
    status() {
      return table.status();
    },
    async close(graceMs = 5000) {
      // Stop accepting now; the close callbacks fire only once every connection is gone, so they are
      // awaited last (awaiting them first would wait for idle browser keep-alive connections).
      const listenersClosed = Promise.all(bound.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const session of sessions) session.close();
      tlsServer.close();
      plainServer.close();
      // In-flight requests finish (up to graceMs); then every connection, idle keep-alive ones included, goes.
      const deadline = Date.now() + graceMs;
      while (inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      for (const socket of connections) socket.destroy();
      table.close();
      transport.close();
      await listenersClosed;
    },
  };
}

const ignore = () => undefined;

const kGuard = Symbol('portico.headersGuard');
type Guarded = {[kGuard]?: NodeJS.Timeout};

/**
 * HTTP/1.1 slowloris guard: a client has `ms` to complete its request headers after connecting or
 * after its previous response. Node's own headersTimeout does not apply to the HTTP/1 side of an
 * HTTP/2 server. Called with `res` when a request's headers arrived: disarm now, re-arm when it ends.
 */
function disarmGuard(socket: net.Socket | Duplex): void {
  const guarded = socket as unknown as Guarded;
  if (guarded[kGuard]) clearTimeout(guarded[kGuard]);
  guarded[kGuard] = undefined;
}

function guardHeaders(socket: net.Socket | Duplex, ms: number, res?: ProxyResponse): void {
  const guarded = socket as unknown as Guarded;
  disarmGuard(socket);
  const arm = () => {
    if (socket.destroyed) return;
    guarded[kGuard] = setTimeout(() => socket.destroy(), ms);
    guarded[kGuard].unref();
  };
  if (res) res.once('finish', arm);
  else {
    arm();
    socket.once('close', () => clearTimeout(guarded[kGuard]));
  }
}

/** A request Node's parser refused: answer with the status a client can understand, then close. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // As Node's default handler: answer only if no response has started on this connection.
  const current = (socket as Duplex & {_httpMessage?: {headersSent?: boolean}})._httpMessage;
  if (current?.headersSent) {
    socket.destroy();
    return;
  }
  // Node reports some parse errors twice; the first answer is already on its way out.
  if (!socket.writable) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  // Drain what the client is still sending: closing with unread input makes TCP reset the connection,
  // and the client would lose the answer. Bounded: the socket goes after a second regardless.
  socket.resume();
  setTimeout(() => socket.destroy(), 1000).unref();
}
