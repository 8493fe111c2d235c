import http from 'node:http';
import type net from 'node:net';
import type {Target} from '../routes/types.js';
import type {Transport} from './agents.js';
import {dial} from './dial.js';

/** The backend switched protocols (101): `socket` is the raw tunnel, `head` what it sent after the 101. */
export interface Switched {
  kind: 'switched';
  response: http.IncomingMessage;
  socket: net.Socket;
  head: Buffer;
}

/** The backend answered with an ordinary response: relay it; the connection is not a tunnel. */
export interface Answered {
  kind: 'answered';
  response: http.IncomingMessage;
}

export interface HandshakeOptions {
  path: string;
  /** Request headers for the backend, Connection/Upgrade included. */
  headers: http.OutgoingHttpHeaders;
  /** Milliseconds for connect + the backend's answer. */
  timeoutMs: number;
  /** Told once the connection is up (for timings). */
  onConnected?: () => void;
}

/**
 * The WebSocket handshake to a backend over a fresh connection, read by Node's own HTTP parser:
 * only a 101 yields a tunnel; anything else comes back as a response to relay.
 */
export async function upgradeHandshake(transport: Transport, target: Target, options: HandshakeOptions): Promise<Switched | Answered> {
  const socket = await dial(transport, target, options.timeoutMs);
  options.onConnected?.();
  return new Promise((resolve, reject) => {
    const req = http.request({createConnection: () => socket, method: 'GET', path: options.path, headers: options.headers});
    const timer = setTimeout(
      () => req.destroy(Object.assign(new Error(`no handshake answer within ${options.timeoutMs} ms`), {code: 'timeout'})),
      options.timeoutMs,
    );
    req.once('upgrade', (response: http.IncomingMessage, tunnel: net.Socket, head: Buffer) => {
      clearTimeout(timer);
      tunnel.setTimeout(0);
      resolve({kind: 'switched', response, socket: tunnel, head});
    });
    req.once('response', (response: http.IncomingMessage) => {
      clearTimeout(timer);
      resolve({kind: 'answered', response});
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
    req.end();
  });
}
