import {randomBytes, timingSafeEqual} from 'node:crypto';
import {chmodSync, unlinkSync} from 'node:fs';
import http from 'node:http';
import type {Http2ServerRequest, ServerHttp2Stream} from 'node:http2';
import net from 'node:net';
import type {Duplex, Readable} from 'node:stream';
import {H2Request} from './h2stream.js';
import {HOP_BY_HOP, connectionTokens, forwardResponseHeaders, hasBody} from './headers.js';
import {refuseResponse, type Refusal} from './front.js';
import {errorCode} from '../errors.js';
import {sendInformation} from './informational.js';
import {badGatewayPage} from './pages.js';
import type {ProxyRequest} from './pipeline.js';
import {RELAY_HEADER, markRelayed} from './relayed.js';
import {writeResponse, type ProxyResponse} from './writer.js';

/**
 * The relay between the processes of one proxy (README "Workers"). A worker serves the routes whose
 * passes hold no state across requests; a route with a cache, rate-limit buckets or the access gate's
 * failure counts has one owner, the primary, and a worker hands each of its requests on to it, as
 * received, over a unix socket (0600, in PORTICO_HOME). The primary runs the whole front of the house
 * and the route's passes again on it, so what reaches a backend is what its own routing decision saw.
 *
 * The relayed request carries one header the primary reads and removes: the worker's secret, the
 * client's protocol, the port it reached and its address, so rate limits count per client and the
 * traffic view shows the request as the client sent it.
 */
/** The worker's end: sends requests for routes the primary owns to it, and their answers back. */
export class RelayClient {
  private readonly agent = new http.Agent({keepAlive: true, maxSockets: 512});

  constructor(
    private readonly socketPath: string,
    private readonly secret: string,
    private readonly port: () => number,
  ) {}

  private mark(req: ProxyRequest): string {
    const protocol = req.httpVersionMajor === 2 ? 'h2' : 'h1';
    return `${this.secret} ${protocol} ${this.port()} ${req.socket?.remoteAddress ?? ''}`;
  }

  /** Hands the request on; a request HTTP/1.1 cannot carry is not sent but returned, for the caller to refuse and log. */
  request(req: ProxyRequest, res: ProxyResponse): Refusal | undefined {
    const method = req.method ?? 'GET';
    const h1 = req instanceof http.IncomingMessage;
    let out: http.ClientRequest;
    try {
      out = http.request({
        socketPath: this.socketPath,
        agent: this.agent,
        method,
        path: req.url ?? '/',
        headers: relayHeaders(req, this.mark(req)),
        setHost: false,
      });
    } catch (error) {
      // A request the client's parser took but HTTP/1.1 cannot carry (a character Node will not write).
      return {status: 400, reason: `portico cannot forward this request: ${(error as Error).message}`, error: errorCode(error) ?? 'unforwardable request'};
    }
    const body: Readable = req instanceof H2Request ? req.stream : (req as Readable);
    const stream = (req as {stream?: ServerHttp2Stream}).stream;
    out.on('response', (answer) => relayAnswer(res, answer, method, h1));
    // 103 Early Hints and 102 Processing the backend sent reach the client before the final answer, as they do unrelayed.
    out.on('information', (info: {statusCode: number; headers: http.IncomingHttpHeaders}) => sendInformation(res, info.statusCode, info.headers));
    out.on('error', (error: NodeJS.ErrnoException) => {
      body.unpipe?.(out);
      if (res.headersSent || res.destroyed) return void res.destroy();
      const code = error.code ?? error.message;
      const page = badGatewayPage('portico (primary process)', [{target: this.socketPath, error: code}]);
      refuseResponse(res, {status: 502, reason: `The primary process did not answer (${code}).`, error: code, page});
    });
    res.once('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    if (hasBody(req.headers, !h1, method, stream?.endAfterHeaders)) body.pipe(out);
    else out.end();
    return undefined;
  }

  /** An HTTP/1.1 Upgrade: the request head as received, then bytes both ways; the primary answers it. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const conn = net.connect(this.socketPath);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.toLowerCase() !== RELAY_HEADER) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    lines.push(`${RELAY_HEADER}: ${this.mark(req)}`, '', '');
    conn.write(lines.join('\r\n'));
    if (head.length > 0) conn.write(head);
    splice(socket, conn);
  }

  /** An RFC 8441 WebSocket (extended CONNECT on an HTTP/2 stream): relayed as an HTTP/1.1 Upgrade. */
  connect(req: ProxyRequest, res: ProxyResponse): void {
    const stream = (req as Http2ServerRequest).stream;
    const headers = relayHeaders(req, this.mark(req));
    Object.assign(headers, {connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': randomBytes(16).toString('base64')});
    headers['sec-websocket-version'] ??= '13';
    let out: http.ClientRequest;
    try {
      out = http.request({socketPath: this.socketPath, method: 'GET', path: req.url ?? '/', headers, setHost: false});
    } catch {
      stream.close(1 /* PROTOCOL_ERROR */);
      return;
    }
    out.on('upgrade', (answer, conn, head) => {
      const reply = forwardResponseHeaders(answer.headers);
      delete reply['sec-websocket-accept'];
      if (stream.destroyed) return void conn.destroy();
      stream.respond({...reply, ':status': 200});
      if (head.length > 0) stream.write(head);
      splice(stream, conn);
    });
    out.on('response', (answer) => relayAnswer(res, answer, 'GET', false));
    out.on('error', () => stream.close(2 /* INTERNAL_ERROR */));
    stream.once('close', () => out.destroy());
    out.end();
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The primary's answer, written to the client as a backend's would be (hop-by-hop headers out). */
function relayAnswer(res: ProxyResponse, answer: http.IncomingMessage, method: string, h1: boolean): void {
  const headers = forwardResponseHeaders(answer.headers) as http.IncomingHttpHeaders;
  writeResponse(res, {status: answer.statusCode ?? 502, headers, body: answer, source: 'backend'}, method, h1, () => {});
}

/** The client's request headers for the relay hop: HTTP/2's pseudo-headers become the request line and Host. */
function relayHeaders(req: ProxyRequest, mark: string): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  const listed = connectionTokens(req.headers.connection);
  for (const name in req.headers) {
    if (name.charCodeAt(0) === 58 /* ':' */ || HOP_BY_HOP.has(name) || listed?.has(name) || name === RELAY_HEADER) continue;
    out[name] = req.headers[name];
  }
  const authority = req.headers[':authority'];
  if (typeof authority === 'string') out.host = authority;
  out[RELAY_HEADER] = mark;
  return out;
}

/** Pipe two byte streams into each other; either side's end or error ends both. */
function splice(a: Duplex, b: Duplex): void {
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end);
  b.on('error', end);
  a.on('close', end);
  b.on('close', end);
  a.pipe(b);
  b.pipe(a);
}

/**
 * The primary's end: a plain HTTP/1.1 server on a unix socket (0600) that takes workers' relayed
 * requests into the same entrances as the TLS server's, with the client the worker names.
 */
export async function listenRelay(
  socketPath: string,
  secret: string,
  doors: {request(req: http.IncomingMessage, res: http.ServerResponse): void; upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void},
): Promise<http.Server> {
  const expected = Buffer.from(secret);
  const admit = (req: http.IncomingMessage): boolean => {
    const mark = req.headers[RELAY_HEADER];
    if (typeof mark !== 'string') return false;
    const [given = '', protocol, port, ...client] = mark.split(' ');
    const key = Buffer.from(given);
    if (key.length !== expected.length || !timingSafeEqual(key, expected)) return false;
    delete req.headers[RELAY_HEADER];
    markRelayed(req, {client: client.join(' '), protocol: protocol === 'h2' ? 'h2' : 'h1', port: Number(port) || 443});
    return true;
  };
  // Headers as big as the TLS server took, plus the relay's own line.
  const server = http.createServer({maxHeaderSize: 64 * 1024}, (req, res) => {
    if (admit(req)) return doors.request(req, res);
    res.writeHead(403, {'content-type': 'text/plain', connection: 'close'}).end('Not a request relayed by a portico worker.\n');
  });
  // The worker is the client here: a relayed response may stream for as long as the client's does.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 0;
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (admit(req)) doors.upgrade(req, socket, head);
    else socket.destroy();
  });
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => socket.destroy());
  server.on('clientError', (_error: Error, socket: Duplex) => socket.destroy());
  try {
    unlinkSync(socketPath);
  } catch {
    // none left over
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);
  return server;
}
