import {createHash} from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import {describe, expect, it} from 'vitest';
import {proxyKit, route, type Harness} from '../../helpers/harness.js';
import {waitFor} from '../../helpers/wait.js';

/** Backends that break the transport's rules: each is answered as RFC 9110/9112/9113/6455/8441 say. */
const kit = proxyKit();

/** A TCP backend that reads one request head per `answer` call and writes what `answer` returns (or nothing). */
async function rawBackend(answer: (head: string, socket: net.Socket) => string | undefined): Promise<{port: number; heads: string[]}> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffered = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      buffered += d;
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      heads.push(head);
      const reply = answer(head, socket);
      if (reply !== undefined) socket.write(reply);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kit.closeAfter(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  return {port: (server.address() as net.AddressInfo).port, heads};
}

/** Raw HTTP/1.1 over TLS; resolves with what the proxy sent once `done(received)` holds or it closes. */
function rawTls(h: Harness, send: string, done: (got: string) => boolean = () => false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({host: '127.0.0.1', port: h.proxy.port, servername: 'app.localhost', ca: h.ca, ALPNProtocols: ['http/1.1']}, () =>
      socket.write(send),
    );
    let got = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      got += d;
      if (done(got)) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    kit.closeAfter(() => socket.destroy());
  });
}

function h2session(h: Harness): http2.ClientHttp2Session {
  const session = http2.connect(`https://127.0.0.1:${h.proxy.port}`, {ca: h.ca, servername: 'app.localhost'});
  session.on('error', () => undefined);
  kit.closeAfter(() => session.destroy());
  return session;
}

const accept = (key: string) => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
const keyOf = (head: string) => /\r\nsec-websocket-key: *([^\r]+)/i.exec(head)?.[1] ?? '';
/** A response head ends the first time a blank line arrives. */
const headDone = (got: string) => got.includes('\r\n\r\n');

describe('transport edges', () => {
  it('answers 502 when a backend answers a plain request with 101 Switching Protocols', async () => {
    const b = await rawBackend(() => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nraw bytes');
    const h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    const got = await rawTls(h, 'GET /plain HTTP/1.1\r\nHost: app.localhost\r\n\r\n', headDone);
    expect(got.split('\r\n')[0]).toBe('HTTP/1.1 502 Bad Gateway');
    expect(got).not.toContain('raw bytes');
  });

  it('answers 502 over HTTP/2 too when a backend answers a plain request with 101', async () => {
    const b = await rawBackend(() => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    const h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    const session = h2session(h);
    const status = await new Promise<number>((resolve, reject) => {
      const s = session.request({':path': '/plain', ':authority': 'app.localhost'});
      s.on('response', (headers) => resolve(Number(headers[':status'])));
      s.on('error', reject);
      s.resume();
    });
    expect(status).toBe(502);
  });

  it('answers 502 when a WebSocket handshake comes back with the wrong Sec-WebSocket-Accept', async () => {
    const b = await rawBackend(
      () => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept('not the key')}\r\n\r\n`,
    );
    const h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const got = await rawTls(
      h,
      `GET /ws HTTP/1.1\r\nHost: app.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      headDone,
    );
    expect(got.split('\r\n')[0]).toBe('HTTP/1.1 502 Bad Gateway');
  });

  it('still opens a WebSocket whose Sec-WebSocket-Accept matches the key', async () => {
    const b = await rawBackend(
      (head) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(keyOf(head))}\r\n\r\n`,
    );
    const h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    const got = await rawTls(
      h,
      'GET /ws HTTP/1.1\r\nHost: app.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      headDone,
    );
    expect(got.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('answers an RFC 8441 CONNECT with 502 and closes the stream when the backend answers 200 without switching', async () => {
    const b = await rawBackend(() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    const session = h2session(h);
    await new Promise((r) => session.once('remoteSettings', r));
    const {status, closed} = await new Promise<{status: number; closed: Promise<void>}>((resolve, reject) => {
      const s = session.request(
        {':method': 'CONNECT', ':protocol': 'websocket', ':path': '/ws', ':scheme': 'https', ':authority': 'app.localhost', 'sec-websocket-version': '13'},
        {endStream: false},
      );
      const closed = new Promise<void>((r) => s.once('close', () => r()));
      s.on('response', (headers) => resolve({status: Number(headers[':status']), closed}));
      s.on('error', reject);
      s.resume();
    });
    expect(status).toBe(502);
    await closed;
  });

  it('counts no request in flight after an HTTP/2 connection with many streams in flight is torn down', async () => {
    let held = 0;
    const b = await rawBackend(() => {
      held++;
      return undefined;
    });
    const h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])], {backendTimeout: 600_000});
    const session = h2session(h);
    for (let i = 0; i < 40; i++) session.request({':path': `/slow/${i}`, ':authority': 'app.localhost'}).on('error', () => undefined);
    const active = () => h.proxy.status()[0]!.targets.reduce((n, t) => n + t.active, 0);
    await waitFor(() => held === 40 && active() === 40, {what: 'the 40 streams to reach the backend'});
    session.destroy();
    await waitFor(() => active() === 0, {what: 'the in-flight count to fall back to 0'});
    expect(active()).toBe(0);
  });
});
