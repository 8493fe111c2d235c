import net from 'node:net';
import tls from 'node:tls';
import type {Target} from '../routes/types.js';
import type {Transport} from './agents.js';

/** Errors where the backend never saw a byte: always safe to try elsewhere. */
export const CONNECT_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNTIMEOUT',
]);

/** Connect to one address (TLS for https targets); resolves with the socket or rejects with a coded error. */
export function connectOnce(target: Target, address: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      target.protocol === 'https:'
        ? tls.connect({host: address, port: target.port, servername: net.isIP(target.hostname) ? undefined : target.hostname, rejectUnauthorized: false})
        : net.connect({host: address, port: target.port});
    const fail = (error: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(Object.assign(new Error(`no connection to ${address}:${target.port} within ${timeoutMs} ms`), {code: 'ECONNTIMEOUT'})),
    );
    socket.once('error', fail);
    socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      socket.removeListener('error', fail);
      socket.setTimeout(0);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** Connect to `target`, the family that answered last first, then the other; the transport remembers which answered. */
export async function dial(transport: Transport, target: Target, timeoutMs: number): Promise<net.Socket> {
  let address = transport.address(target);
  for (let tries = 0; ; tries++) {
    try {
      const socket = await connectOnce(target, address, timeoutMs);
      transport.answered(target, address);
      return socket;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const other = CONNECT_ERRORS.has(code) && tries + 1 < target.dial.length ? transport.otherFamily(target, address) : undefined;
      if (!other) throw error;
      address = other;
    }
  }
}
