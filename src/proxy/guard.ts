import type net from 'node:net';
import type {Duplex} from 'node:stream';
import type {ProxyResponse} from './writer.js';

const kGuard = Symbol('portico.headersGuard');
type Guarded = {[kGuard]?: NodeJS.Timeout};

/**
 * HTTP/1.1 slowloris guard: a client has `ms` to complete its request headers after connecting or
 * after its previous response. Node's own headersTimeout does not apply to the HTTP/1 side of an
 * HTTP/2 server. Called with `res` when a request's headers arrived: disarm now, re-arm when it ends.
 */
export function disarmGuard(socket: net.Socket | Duplex): void {
  const guarded = socket as unknown as Guarded;
  if (guarded[kGuard]) clearTimeout(guarded[kGuard]);
  guarded[kGuard] = undefined;
}

export function guardHeaders(socket: net.Socket | Duplex, ms: number, res?: ProxyResponse): void {
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
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // As Node's default handler: answer only if no response has started on this connection.
  const current = (socket as Duplex & {_httpMessage?: {headersSent?: boolean}})._httpMessage;
  if (current?.headersSent) {
    socket.destroy();
    return;
  }
  // Node reports some parse errors twice; the first answer is already on its way out.
  if (!socket.writable) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  // Drain what the client is still sending: closing with unread input makes TCP reset the connection,
  // and the client would lose the answer. Bounded: the socket goes after a second regardless.
  socket.resume();
  setTimeout(() => socket.destroy(), 1000).unref();
}
