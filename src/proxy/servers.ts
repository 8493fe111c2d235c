import http from 'node:http';
import http2 from 'node:http2';
import type {SecureContext} from 'node:tls';
import type {CertProvider} from '../certs/types.js';
import {isHttp09} from './edges.js';
import type {Entrances} from './entrances.js';
import {answerClientError, guardHeaders} from './guard.js';
import {H2Request, H2Response} from './h2stream.js';
import {requestHost} from './headers.js';

export interface TlsServerOptions {
  certs: CertProvider;
  entrances: Entrances;
  maxConcurrentStreams: number;
  headersTimeoutMs: number;
  /**
   * Shared by the processes of one proxy with their ticket keys: OpenSSL resumes a session only in the
   * context it began in, and Node's default is a hash of the process's command line.
   */
  sessionIdContext?: string;
}

const ignore = () => undefined;

/** The HTTPS server: h2 and http/1.1 by ALPN, a certificate per name (SNI), the three entrances attached. */
export async function tlsServer(options: TlsServerOptions): Promise<http2.Http2SecureServer> {
  const {certs, entrances} = options;
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
  const server = http2.createSecureServer({
    cert: leaf.certPem,
    key: leaf.keyPem,
    SNICallback,
    allowHTTP1: true,
    ALPNProtocols: ['h2', 'http/1.1'],
    // maxConcurrentStreams is advertised in our SETTINGS and caps what one client connection can make
    // portico hold (peerMaxConcurrentStreams would only limit our own side). Browsers open few connections
    // but many streams (dev servers' pages load hundreds of modules); 250 streams never starve a page.
    settings: {enableConnectProtocol: true, maxConcurrentStreams: options.maxConcurrentStreams},
    ...(options.sessionIdContext ? {sessionIdContext: options.sessionIdContext} : {}),
  });
  server.on('secureConnection', (socket) => {
    if (socket.alpnProtocol === 'h2') return;
    guardHeaders(socket, options.headersTimeoutMs);
    // HTTP/0.9 (`GET /` and no version) has no HTTP/1.x answer: close at once.
    socket.once('data', (chunk: Buffer) => isHttp09(chunk) && socket.destroy());
  });
  server.on('request', entrances.request);
  // Adding that 'request' listener made Node install its compat 'stream' listener. Keep it for CONNECT
  // (WebSockets over h2) and Expect: 100-continue; every other h2 request is served from the bare stream.
  const compat = server.listeners('stream').at(-1) as ((...args: unknown[]) => void) | undefined;
  if (compat) {
    server.removeListener('stream', compat);
    server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
      if (headers[':method'] === 'CONNECT' || headers.expect !== undefined) {
        compat.call(server, stream, headers, ...rest);
        return;
      }
      stream.on('error', ignore);
      entrances.request(new H2Request(stream, headers), new H2Response(stream));
    });
  }
  server.on('upgrade', entrances.upgrade);
  server.on('connect', entrances.connect as never);
  server.on('sessionError', ignore);
  server.on('tlsClientError', ignore);
  server.on('clientError', answerClientError);
  return server;
}

/** Plain HTTP on the same port: a redirect to https, nothing else. */
export function redirectServer(port: () => number): http.Server {
  const server = http.createServer((req, res) => {
    const host = requestHost(req.headers);
    const url = req.url ?? '/';
    if (!host || url.charCodeAt(0) !== 47) {
      res.writeHead(400, {'content-type': 'text/plain'}).end('portico serves HTTPS; plain HTTP requests get a redirect to https.\n');
      return;
    }
    const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    res.writeHead(308, {location: `https://${hostPart}${port() === 443 ? '' : `:${port()}`}${url}`, 'content-length': 0, connection: 'close'}).end();
  });
  server.on('clientError', answerClientError);
  return server;
}
