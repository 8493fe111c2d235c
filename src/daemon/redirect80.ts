import http from 'node:http';
import net from 'node:net';
import {LOOPBACK, listenAll} from '../proxy/listen.js';

export const HTTP_PORT = 80;

export interface Redirector {
  port: number;
  close(): Promise<void>;
}

/** `https://<host>[:port]<url>` for a plain request, or undefined when it names no host. */
export function httpsLocation(hostHeader: string | undefined, url: string, httpsPort: number): string | undefined {
  if (!hostHeader || url.charCodeAt(0) !== 47) return undefined;
  // The Host of a port-80 request may carry `:80`; the https URL needs the TLS port instead.
  const host = hostHeader.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  if (!/^[a-z0-9.:-]+$/i.test(host)) return undefined;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `https://${shown}${httpsPort === 443 ? '' : `:${httpsPort}`}${url}`;
}

/**
 * Port 80 on loopback, answering every request with a redirect to https, so that typing
 * `app.localhost` in the address bar (which tries http://app.localhost/ first) reaches the route.
 * Resolves with undefined when 80 cannot be bound (in use, or not permitted): that is never fatal.
 */
export async function listenRedirect80(httpsPort: number, port = HTTP_PORT, hosts: readonly string[] = LOOPBACK): Promise<Redirector | {error: string}> {
  const server = http.createServer((req, res) => {
    const location = httpsLocation(req.headers.host, req.url ?? '/', httpsPort);
    if (!location) {
      res.writeHead(400, {'content-type': 'text/plain'}).end('portico serves HTTPS; plain HTTP requests get a redirect to https.\n');
      return;
    }
    res.writeHead(308, {location, 'content-length': 0, connection: 'close'}).end();
  });
  server.on('clientError', (_error, socket: net.Socket) => socket.destroy());
  try {
    // One listener per loopback address, all feeding the one HTTP server.
    const bound = await listenAll(() => net.createServer((socket) => server.emit('connection', socket)), hosts, port);
    return {
      port: bound.port,
      close: async () => {
        server.closeAllConnections();
        await Promise.all(bound.servers.map((s) => new Promise((r) => s.close(r))));
      },
    };
  } catch (error) {
    return {error: (error as Error).message};
  }
}
