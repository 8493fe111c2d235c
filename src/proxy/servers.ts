import http from 'node:http';
import http2 from 'node:http2';
import type {SecureContext, TLSSocket} from 'node:tls';
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
  peekHttp1(server, options.headersTimeoutMs);
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

/**
 * An HTTP/1.1 connection's first bytes are read here, before Node's HTTP/1.1 server takes the
 * connection: HTTP/0.9 (`GET /` and no version) has no HTTP/1.x answer and is closed at once. Only
 * then does the server get it (with those bytes put back), so its parser reads the TLS stream
 * natively from then on: a 'data' listener added after it would move every later read of the
 * connection into JavaScript (Node's parser gives the stream up to the listener), ~2% of a
 * request's CPU. HTTP/2 connections go to the server as they come.
 */
function peekHttp1(server: http2.Http2SecureServer, headersTimeoutMs: number): void {
  const listeners = server.listeners('secureConnection') as ((socket: TLSSocket) => void)[];
  const take = listeners[0];
  if (listeners.length !== 1 || !take) throw new Error(`Node's HTTPS server has ${listeners.length} connection listeners, portico expects its one`);
  server.removeListener('secureConnection', take);
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.alpnProtocol === 'h2') return take.call(server, socket);
    guardHeaders(socket, headersTimeoutMs);
    // Until the server has it, a reset connection is this code's to close.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      if (isHttp09(chunk)) return void socket.destroy();
      socket.removeListener('error', onError);
      socket.unshift(chunk);
      take.call(server, socket);
      socket.resume();
    });
  });
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
