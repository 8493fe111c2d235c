import {randomBytes} from 'node:crypto';
import type {IncomingMessage} from 'node:http';
import type {Http2ServerRequest, ServerHttp2Stream} from 'node:http2';
import net from 'node:net';
import type {Duplex} from 'node:stream';
import tls from 'node:tls';
import type {Upstream} from '../balance/upstream.js';
import type {TrafficSink} from '../traffic/event.js';
import {requestHead} from './backend.js';
import {forwardRequestHeaders} from './headers.js';
import {originalHost} from './forward.js';
import type {RouteEntry} from './table.js';

export interface TunnelContext {
  hop: string;
  traffic?: TrafficSink;
  nextId: () => number;
}

/** Open a raw connection to an upstream, trying the other loopback family when one refuses. */
function dial(u: Upstream, onReady: (socket: net.Socket) => void, onFail: (code: string) => void, tries = 0): void {
  const {target} = u;
  const host = target.dial[u.dialIndex] ?? target.dial[0]!;
  const socket =
    target.protocol === 'https:'
      ? tls.connect({host, port: target.port, servername: net.isIP(target.hostname) ? undefined : target.hostname, rejectUnauthorized: false})
      : net.connect({host, port: target.port});
  const onError = (error: NodeJS.ErrnoException) => {
    socket.destroy();
    if (error.code === 'ECONNREFUSED' && tries + 1 < target.dial.length) {
      u.dialIndex = (u.dialIndex + 1) % target.dial.length;
      dial(u, onReady, onFail, tries + 1);
    } else onFail(error.code ?? 'ERROR');
  };
  socket.once('error', onError);
  socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
    socket.removeListener('error', onError);
    socket.setNoDelay(true);
    onReady(socket);
  });
}

interface TunnelInfo {
  entry: RouteEntry;
  host: string;
  path: string;
  method: string;
  started: number;
}

function track(ctx: TunnelContext, info: TunnelInfo, u: Upstream, status: () => number, a: Duplex, b: Duplex): void {
  info.entry.pool.begin(u);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    info.entry.pool.end(u);
    a.destroy();
    b.destroy();
    if (ctx.traffic?.active) {
      ctx.traffic.emit({type: 'request', id: ctx.nextId(), time: info.started, method: info.method, host: info.host, path: info.path, status: status(), duration: Date.now() - info.started, bytes: 0, target: u.target.url, route: info.entry.key, protocol: 'ws'});
    }
  };
  for (const s of [a, b]) {
    s.once('close', close);
    s.once('error', close);
  }
}

/**
 * HTTP/1.1 Upgrade: replay the handshake to the backend and splice the two sockets. The backend's
 * 101 (or refusal) goes to the client untouched, so subprotocols and extensions negotiate end to end.
 */
export function tunnelUpgrade(ctx: TunnelContext, entry: RouteEntry, req: IncomingMessage, client: Duplex, head: Buffer, path: string, host: string, onFail: (code: string, target: string) => void): void {
  const started = Date.now();
  const u = entry.pool.pick({cookie: req.headers.cookie});
  if (!u) return onFail('no target', entry.key);
  const headers = forwardRequestHeaders(req.headers, {host: originalHost(req, host), clientIp: req.socket.remoteAddress ?? '', hop: ctx.hop, upgrade: true});
  dial(
    u,
    (backend) => {
      backend.write(requestHead(req.method ?? 'GET', path, headers));
      if (head.length > 0) backend.write(head);
      let status = 0;
      backend.once('data', (chunk: Buffer) => {
        status = Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.subarray(0, 16).toString('latin1'))?.[1] ?? 0);
      });
      backend.pipe(client);
      client.pipe(backend);
      track(ctx, {entry, host, path: req.url ?? path, method: 'GET', started}, u, () => status, client, backend);
    },
    (code) => {
      entry.pool.reportFailure(u, code);
      onFail(code, u.target.url);
    },
  );
}

/** Read an HTTP/1.1 response head from `socket`; hands back the status, headers and any bytes after it. */
function readResponseHead(socket: net.Socket, done: (head: {status: number; headers: Record<string, string>; rest: Buffer} | undefined) => void): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) {
      if (buffered.length > 64 * 1024) finish(undefined);
      return;
    }
    const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    finish({status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0), headers, rest: buffered.subarray(end + 4)});
  };
  const finish = (result: Parameters<typeof done>[0]) => {
    socket.removeListener('data', onData);
    socket.removeListener('close', onClose);
    done(result);
  };
  const onClose = () => finish(undefined);
  socket.on('data', onData);
  socket.once('close', onClose);
}

/**
 * RFC 8441: a WebSocket over an HTTP/2 stream (extended CONNECT, `:protocol websocket`), bridged to
 * an HTTP/1.1 Upgrade to the backend, so Chrome's HMR socket works when the page came over h2.
 */
export function tunnelExtendedConnect(ctx: TunnelContext, entry: RouteEntry, req: Http2ServerRequest, path: string, host: string, onFail: (code: string, target: string) => void): void {
  const started = Date.now();
  const stream: ServerHttp2Stream = req.stream;
  const u = entry.pool.pick({cookie: req.headers.cookie});
  if (!u) return onFail('no target', entry.key);
  const headers = forwardRequestHeaders(req.headers, {host: originalHost(req, host), clientIp: req.socket.remoteAddress ?? '', hop: ctx.hop, upgrade: true});
  headers.upgrade = 'websocket';
  // h2 WebSockets carry no key (RFC 8441 5); the backend's HTTP/1.1 handshake needs one.
  headers['sec-websocket-key'] = randomBytes(16).toString('base64');
  headers['sec-websocket-version'] ??= '13';
  dial(
    u,
    (backend) => {
      backend.write(requestHead('GET', path, headers));
      readResponseHead(backend, (head) => {
        if (!head || stream.destroyed) {
          backend.destroy();
          if (!stream.destroyed) stream.respond({':status': 502}, {endStream: true});
          return;
        }
        if (head.status !== 101) {
          stream.respond({':status': head.status || 502}, {endStream: true});
          backend.destroy();
          return;
        }
        const answer: Record<string, string | number> = {':status': 200};
        if (head.headers['sec-websocket-protocol']) answer['sec-websocket-protocol'] = head.headers['sec-websocket-protocol'];
        if (head.headers['sec-websocket-extensions']) answer['sec-websocket-extensions'] = head.headers['sec-websocket-extensions'];
        stream.respond(answer);
        if (head.rest.length > 0) stream.write(head.rest);
        backend.pipe(stream);
        stream.pipe(backend);
        track(ctx, {entry, host, path: req.url ?? path, method: 'CONNECT', started}, u, () => 101, stream, backend);
      });
    },
    (code) => {
      entry.pool.reportFailure(u, code);
      onFail(code, u.target.url);
    },
  );
}
