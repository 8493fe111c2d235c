import type http from 'node:http';
import type http2 from 'node:http2';
import net from 'node:net';
import {ExitCode, UserError, errorCode} from '../errors.js';
import {isHttp09} from './edges.js';

export const LOOPBACK = ['127.0.0.1', '::1'] as const;

/**
 * Hand each connection to the TLS server or the plain one by its first byte: 0x16 opens a TLS
 * handshake; anything else is plain HTTP, which only ever gets a redirect to https. One port serves both.
 * `handoff`, when given, may take a new connection before anything is read from it (to give it to a
 * worker process, README "Workers"); it returns true when it did.
 */
export function sniffingListener(tlsServer: http2.Http2SecureServer, plainServer: http.Server, handoff?: (socket: net.Socket) => boolean): net.Server {
  const sniff = sniffer(tlsServer, plainServer);
  if (!handoff) return net.createServer({noDelay: true}, sniff);
  // Paused on accept, so a connection handed to a worker has not had a byte read here.
  return net.createServer({noDelay: true, pauseOnConnect: true}, (socket) => {
    if (handoff(socket)) return;
    sniff(socket);
    socket.resume();
  });
}

/** The first-byte dispatch of sniffingListener, for a connection accepted here or handed over by the primary. */
export function sniffer(tlsServer: http2.Http2SecureServer, plainServer: http.Server): (socket: net.Socket) => void {
  return (socket) => {
    // Before the handoff nobody else watches this socket; a client that connects and says nothing is dropped.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    socket.setTimeout(10_000, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      socket.setTimeout(0);
      socket.removeListener('error', onError);
      if (chunk[0] === 0x16) {
        // The TLS socket drains the buffered chunk itself; resuming here would lose it.
        tlsServer.emit('connection', socket);
      } else if (isHttp09(chunk)) {
        // HTTP/0.9 (`GET /` and no version) has no HTTP/1.x answer: close at once.
        socket.destroy();
      } else {
        plainServer.emit('connection', socket);
        socket.resume();
      }
    });
  };
}

/** Listen on `port` at each address; with port 0 every address shares the first one's port. */
export async function listenAll(make: () => net.Server, hosts: readonly string[], port: number): Promise<{servers: net.Server[]; port: number}> {
  const servers: net.Server[] = [];
  let bound = port;
  try {
    for (const host of hosts) {
      const server = make();
      try {
        await listenOne(server, host, bound);
      } catch (error) {
        // A machine without IPv6 has no ::1: serve IPv4 only rather than fail.
        if (host === '::1' && (errorCode(error) === 'EADDRNOTAVAIL' || errorCode(error) === 'EAFNOSUPPORT') && servers.length > 0) continue;
        throw error;
      }
      servers.push(server);
      if (bound === 0) bound = (server.address() as net.AddressInfo).port;
    }
  } catch (error) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw portError(error, port === 0 ? bound : port);
  }
  return {servers, port: bound};
}

function listenOne(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({host, port, exclusive: true, ipv6Only: host === '::1'}, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/** Turn a bind failure into the sentence a user needs. */
export function portError(error: unknown, port: number): unknown {
  const code = errorCode(error);
  if (code === 'EADDRINUSE') {
    return new UserError(`Port ${port} is in use by another program.`, {
      exit: ExitCode.usage,
      hint: `Stop it, or choose another port: \`portico up --port <N>\` (or PORTICO_PORT).`,
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError(`Port ${port} is not permitted for this user (ports below 1024 are privileged).`, {
      exit: ExitCode.usage,
      hint:
        "Allow it once with `sudo setcap 'cap_net_bind_service=+ep' $(command -v node)`, or `sudo sysctl net.ipv4.ip_unprivileged_port_start=443`, " +
        'or run `sudo portico up`; or leave --port out to use 1443.',
      cause: error,
    });
  }
  return error;
}
