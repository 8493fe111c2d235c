import type http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import {waitFor} from '../../helpers/wait.js';
import {describe, expect, it} from 'vitest';
import {proxyKit, request, route, type Harness} from '../../helpers/harness.js';

/** Misbehaving backends and clients: each of these failed on the old hand-written HTTP client. */
let h: Harness | undefined;
const kit = proxyKit();
const backend = kit.backend;

interface RawBackend {
  port: number;
  /** Request heads received, in order. */
  requests: string[];
  connections: () => number;
}

/**
 * A TCP backend written by hand: `answer(head, index on its connection, socket)` writes the reply (bytes as
 * given) or does something rude to the socket. Reads each head plus a Content-Length body.
 */
async function rawBackend(answer: (head: string, nth: number, socket: net.Socket) => void): Promise<RawBackend> {
  const sockets = new Set<net.Socket>();
  const requests: string[] = [];
  let connections = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    let nth = 0;
    let counted = false;
    socket.on('data', (d: Buffer) => {
      if (!counted) (counted = true), connections++;
      buffered = Buffer.concat([buffered, d]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        requests.push(head);
        answer(head, nth++, socket);
        if (socket.destroyed) return;
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kit.closeAfter(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((r) => server.close(r));
  });
  return {port: (server.address() as net.AddressInfo).port, requests, connections: () => connections};
}

const OK = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`;

function h2session(hh: Harness, host = 'app.localhost'): http2.ClientHttp2Session {
  const session = http2.connect(`https://127.0.0.1:${hh.proxy.port}`, {ca: hh.ca, servername: host});
  session.on('error', () => undefined);
  kit.closeAfter(() => session.close());
  return session;
}

interface H2Reply {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
  informational: number[];
  trailers?: http2.IncomingHttpHeaders;
}

function h2request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: string): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const s = session.request({':authority': 'app.localhost', ...headers}, {endStream: body === undefined});
    const reply: H2Reply = {status: 0, headers: {}, body: '', informational: []};
    s.on('headers', (hdrs) => reply.informational.push(Number(hdrs[':status'])));
    s.on('response', (hdrs) => ((reply.headers = hdrs), (reply.status = Number(hdrs[':status']))));
    s.on('trailers', (t) => (reply.trailers = t));
    s.setEncoding('utf8');
    s.on('data', (d: string) => (reply.body += d));
    s.on('end', () => resolve(reply));
    s.on('error', reject);
    if (body !== undefined) s.end(body);
  });
}

/**
 * A TLS connection speaking raw HTTP/1.1 bytes; resolves with everything received once the proxy closes it.
 * `then.send` is written once the received text contains `then.after` (if the connection is still open).
 */
function rawTls(hh: Harness, send: string, then?: {after: string; send: string}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({host: '127.0.0.1', port: hh.proxy.port, servername: 'app.localhost', ca: hh.ca, ALPNProtocols: ['http/1.1']}, () =>
      socket.write(send),
    );
    let got = '';
    let sent = false;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      got += d;
      if (then && !sent && got.includes(then.after) && socket.writable) {
        sent = true;
        socket.write(then.send);
      }
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    kit.closeAfter(() => socket.destroy());
  });
}

describe('retries (RFC 9110 §9.2.2)', () => {
  it('retries an HTTP/2 DELETE without a body on a new connection when the pooled one was closed by the backend', async () => {
    // The backend answers the first request on each connection (once it has all of it) and drops the second unanswered.
    const perSocket = new Map<unknown, number>();
    const b = await backend((req, res) => {
      const nth = perSocket.get(req.socket) ?? 0;
      perSocket.set(req.socket, nth + 1);
      if (nth > 0) return void req.socket.destroy();
      req.resume();
      req.on('end', () => res.end('done'));
    });
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])], {backendTimeout: 3000});
    const session = h2session(h);
    expect((await h2request(session, {':path': '/first'})).status).toBe(200);
    for (const method of ['DELETE', 'OPTIONS']) {
      const reply = await h2request(session, {':method': method, ':path': '/item'});
      expect(reply).toMatchObject({status: 200, body: 'done'});
    }
  });

  it('never sends a POST twice when the backend resets the connection after reading it, and says so in the 502', async () => {
    const b = await rawBackend((head, _nth, socket) => (head.startsWith('POST') ? socket.resetAndDestroy() : socket.write(OK('ok'))));
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    const agent = new https.Agent({keepAlive: true, maxSockets: 1});
    kit.closeAfter(() => agent.destroy());
    expect((await request(h, 'app.localhost', '/warm', {agent})).status).toBe(200);
    const reply = await request(h, 'app.localhost', '/pay', {method: 'POST', body: 'amount=10', agent});
    expect(reply.status).toBe(502);
    expect(reply.body).toContain('never sent twice');
    expect(b.requests.filter((r) => r.startsWith('POST')).length).toBe(1);
  });

  it('moves on to the next instance when one refuses the connection', async () => {
    const b = await backend();
    h = await kit.start([route('app.localhost', ['http://127.0.0.1:1', `http://127.0.0.1:${b.port}`], {strategy: 'first'})]);
    const reply = await request(h, 'app.localhost', '/', {method: 'POST', body: 'x'});
    expect(reply).toMatchObject({status: 200, body: 'b'});
    expect(b.bodies).toEqual(['x']);
  });
});

describe('upgrades', () => {
  const handshake = (token: string, path = '/ws') =>
    `GET ${path} HTTP/1.1\r\nHost: app.localhost\r\nConnection: Upgrade\r\nUpgrade: ${token}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

  it('relays a backend’s 200 to an Upgrade as a plain response and never lets the next request through unrouted', async () => {
    const b = await rawBackend((_head, _nth, socket) => socket.write(OK('no websocket here')));
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    const got = await rawTls(h, handshake('websocket'), {after: 'no websocket here', send: 'GET /smuggled HTTP/1.1\r\nHost: other.localhost\r\n\r\n'});
    expect(got.startsWith('HTTP/1.1 200')).toBe(true);
    expect(got).toContain('no websocket here');
    expect(b.requests.map((r) => r.split('\r\n')[0])).toEqual(['GET /ws HTTP/1.1']);
  });

  it('answers an h2c (or any non-WebSocket) Upgrade as ordinary HTTP without forwarding the Upgrade', async () => {
    const upgrades: Array<string | undefined> = [];
    const b = await backend((req, res) => {
      upgrades.push(req.headers.upgrade);
      res.end('plain');
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    const got = await rawTls(h, handshake('h2c', '/x'));
    expect(got.startsWith('HTTP/1.1 200')).toBe(true);
    expect(got).toContain('plain');
    expect(upgrades).toEqual([undefined]);
  });

  it('answers 504 when the backend accepts a WebSocket handshake but never answers it', async () => {
    const b = await rawBackend(() => undefined);
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])], {upgradeTimeout: 300});
    const got = await rawTls(h, handshake('websocket'));
    expect(got.startsWith('HTTP/1.1 504')).toBe(true);
  });

  it('answers an RFC 8441 CONNECT with the backend’s refusal, not 200, when the backend does not switch', async () => {
    const b = await backend((_req, res) => {
      res.writeHead(403).end('forbidden');
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    const session = h2session(h);
    await new Promise((r) => session.once('remoteSettings', r));
    const reply = await h2request(session, {':method': 'CONNECT', ':protocol': 'websocket', ':path': '/ws', ':scheme': 'https', 'sec-websocket-version': '13'});
    expect(reply.status).toBe(403);
  });
});

describe('protocol edges', () => {
  it('answers CONNECT host HTTP/2.0 on an HTTP/1.1 connection with 505 and closes it, and keeps serving', async () => {
    const b = await backend();
    h = await kit.start([route('app.localhost', [b.port])]);
    const got = await rawTls(h, 'CONNECT app.localhost:443 HTTP/2.0\r\nHost: app.localhost\r\n\r\n');
    expect(got.startsWith('HTTP/1.1 505')).toBe(true);
    expect((await request(h, 'app.localhost', '/')).status).toBe(200);
  });

  it('answers GET with version HTTP/2.0 on an HTTP/1.1 connection with 505', async () => {
    const b = await backend();
    h = await kit.start([route('app.localhost', [b.port])]);
    const got = await rawTls(h, 'GET / HTTP/2.0\r\nHost: app.localhost\r\n\r\n');
    expect(got.startsWith('HTTP/1.1 505')).toBe(true);
    expect(b.hits).toBe(0);
  });

  it('closes an HTTP/0.9 request at once, over TLS and on the plain-HTTP side', async () => {
    // A header timeout longer than the test's own limit: the connections end because portico
    // refuses HTTP/0.9, never because a timer ran out.
    h = await kit.start([], {headersTimeout: 600_000});
    expect(await rawTls(h, 'GET /\r\n')).toBe('');
    const plain = await new Promise<string>((resolve) => {
      const socket = net.connect(h!.proxy.port, '127.0.0.1', () => socket.write('GET /\r\n'));
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
    });
    expect(plain).toBe('');
  });

  it('refuses a request with two Host headers with 400', async () => {
    const b = await backend();
    h = await kit.start([route('app.localhost', [b.port])]);
    const got = await rawTls(h, 'GET / HTTP/1.1\r\nHost: app.localhost\r\nHost: evil.localhost\r\nConnection: close\r\n\r\n');
    expect(got.startsWith('HTTP/1.1 400')).toBe(true);
    expect(b.hits).toBe(0);
  });

  it('answers 508, not a redirect loop, for a route whose target is portico’s own port over plain http', async () => {
    h = await kit.start([]);
    for (const target of [`http://localhost:${h.proxy.port}`, `http://127.0.0.1:${h.proxy.port}`, `https://[::1]:${h.proxy.port}`]) {
      h.proxy.setRoutes([route('app.localhost', [target])]);
      const reply = await request(h, 'app.localhost', '/');
      expect(reply.status).toBe(508);
    }
  });

  it('forwards 103 Early Hints to HTTP/1.1 and HTTP/2 clients before the response', async () => {
    const b = await backend((_req, res) => {
      res.writeEarlyHints({link: '</app.css>; rel=preload; as=style'});
      res.end('page');
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    const hints = await new Promise<{status: number; link: unknown}>((resolve, reject) => {
      const req = https.request(
        {host: '127.0.0.1', port: h!.proxy.port, servername: 'app.localhost', ca: h!.ca, headers: {host: 'app.localhost'}, agent: false},
        (res) => res.resume(),
      );
      req.on('information', (info) => resolve({status: info.statusCode, link: info.headers.link}));
      req.on('error', reject);
      req.end();
    });
    expect(hints).toEqual({status: 103, link: '</app.css>; rel=preload; as=style'});
    const reply = await h2request(h2session(h), {':path': '/'});
    expect(reply.informational).toContain(103);
    expect(reply).toMatchObject({status: 200, body: 'page'});
  });

  it('forwards response trailers to HTTP/1.1 and HTTP/2 clients', async () => {
    const b = await backend((_req, res) => {
      res.writeHead(200, {'content-type': 'text/plain', trailer: 'x-checksum'});
      res.write('abc');
      res.addTrailers({'x-checksum': 'c0ffee'});
      res.end();
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    const h1 = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      const req = https.request(
        {host: '127.0.0.1', port: h!.proxy.port, servername: 'app.localhost', ca: h!.ca, headers: {host: 'app.localhost'}, agent: false},
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.trailers));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(h1['x-checksum']).toBe('c0ffee');
    const reply = await h2request(h2session(h), {':path': '/'});
    expect(reply.body).toBe('abc');
    expect(reply.trailers?.['x-checksum']).toBe('c0ffee');
  });

  it('gives an HTTP/2 client a 204 without Content-Length even when the backend sent one', async () => {
    const bad = await rawBackend((_head, _nth, socket) => socket.write('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n'));
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${bad.port}`])]);
    const reply = await h2request(h2session(h), {':path': '/'});
    expect(reply.status).toBe(204);
    expect(reply.headers['content-length']).toBeUndefined();
    expect(reply.body).toBe('');
  });

  it('answers a backend that ends its lines with a bare LF without waiting out the timeout', async () => {
    const b = await rawBackend((_head, _nth, socket) => socket.write('HTTP/1.1 200 OK\nContent-Length: 2\n\nok'));
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])], {backendTimeout: 60_000});
    const reply = await request(h, 'app.localhost', '/');
    // Node's parser decides; either way the answer comes at once (the old parser waited 30 s, then 504).
    expect([200, 502]).toContain(reply.status);
  });
});

describe('limits and timeouts', () => {
  it('advertises maxConcurrentStreams in its HTTP/2 SETTINGS', async () => {
    h = await kit.start([]);
    const session = h2session(h);
    const settings = await new Promise<http2.Settings>((r) => session.once('remoteSettings', r));
    expect(settings.maxConcurrentStreams).toBe(250);
  });

  it('caps connections to one backend and queues the rest, however many streams a client opens', async () => {
    const sockets = new Set<unknown>();
    let maxBusy = 0;
    const held: http.ServerResponse[] = [];
    const b = await backend((req, res) => {
      // Connections that carried a request (health probes only connect).
      sockets.add(req.socket);
      held.push(res);
      maxBusy = Math.max(maxBusy, held.length);
    });
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])], {maxBackendConnections: 4});
    const session = h2session(h);
    const replies = Array.from({length: 20}, (_, i) => h2request(session, {':path': `/${i}`}));
    await waitFor(() => held.length === 4, {what: 'held.length === 4'});
    for (let answered = 0; answered < 20; ) {
      await waitFor(() => held.length > 0, {what: 'held.length > 0'});
      for (const res of held.splice(0)) res.end('ok'), answered++;
    }
    const statuses = await Promise.all(replies.map(async (p) => (await p).status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(maxBusy).toBe(4);
    expect(sockets.size).toBeLessThanOrEqual(4);
  });

  it('does not time out a slow upload: the wait for the response starts when the body has been sent', async () => {
    let firstChunk = false;
    const b = await backend((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => ((n += c.length), (firstChunk = true)));
      req.on('end', () => res.end(String(n)));
    });
    h = await kit.start([route('app.localhost', [b.port])], {backendTimeout: 200});
    const reply = await new Promise<{status: number; body: string}>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: h!.proxy.port,
          method: 'POST',
          servername: 'app.localhost',
          ca: h!.ca,
          headers: {host: 'app.localhost', 'content-length': 6},
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d));
          res.on('end', () => resolve({status: res.statusCode ?? 0, body}));
        },
      );
      req.on('error', reject);
      req.write('abc');
      // Hold the rest of the upload well past the 200 ms response timeout.
      void waitFor(() => firstChunk, {what: 'firstChunk'})
        .then(() => new Promise((r) => setTimeout(r, 800)))
        .then(() => req.end('def'));
    });
    expect(reply).toEqual({status: 200, body: '6'});
  });

  it('lets a route’s own timeout win over the daemon default', async () => {
    const b = await rawBackend(() => undefined);
    h = await kit.start([{...route('app.localhost', [`http://127.0.0.1:${b.port}`]), options: {timeout: 300}}], {backendTimeout: 600_000});
    const reply = await request(h, 'app.localhost', '/');
    expect(reply.status).toBe(504);
    expect(reply.body).toContain('0.3 s');
  });

  it('closes an idle HTTP/2 connection', async () => {
    h = await kit.start([], {h2IdleTimeout: 300});
    const session = h2session(h);
    await new Promise<void>((r) => session.once('close', () => r()));
    expect(session.closed).toBe(true);
  });
});
