import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type http from 'node:http';
import {describe, expect, it} from 'vitest';
import {EventHub} from '../../../src/daemon/hub.js';
import {Transport} from '../../../src/transport/index.js';
import {waitFor} from '../../helpers/wait.js';
import {proxyKit, request, route, type Harness} from '../../helpers/harness.js';

/** What forwarding to backends (http-proxy-3 over src/transport) must get right, against real servers. */
let h: Harness | undefined;
const kit = proxyKit();
const backend = kit.backend;

/** A raw TCP backend that answers every request with `reply` (bytes as written); `connections` counts those that carried requests (health probes only connect). */
async function rawBackend(reply: (request: string) => string | undefined): Promise<{port: number; connections: () => number}> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let seen = '';
    socket.once('data', () => accepted++);
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      if (!seen.includes('\r\n\r\n')) return;
      const answer = reply(seen);
      seen = '';
      if (answer === undefined) socket.destroy();
      else socket.write(answer);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kit.closeAfter(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((r) => server.close(r));
  });
  return {port: (server.address() as net.AddressInfo).port, connections: () => accepted};
}

describe('forwarding to backends', () => {
  it('sends an HTTP/2 upload of unknown length chunked, and the backend gets every byte', async () => {
    const b = await backend((req, res) => {
      let size = 0;
      req.on('data', (c: Buffer) => (size += c.length));
      req.on('end', () => res.end(JSON.stringify({size, te: req.headers['transfer-encoding'] ?? null})));
    });
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    const session = http2.connect(`https://127.0.0.1:${h.proxy.port}`, {ca: h.ca, servername: 'app.localhost'});
    kit.closeAfter(() => session.close());
    const reply = await new Promise<string>((resolve, reject) => {
      const s = session.request({':method': 'POST', ':path': '/upload', ':authority': 'app.localhost'});
      let body = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => (body += d));
      s.on('end', () => resolve(body));
      s.on('error', reject);
      for (let i = 0; i < 64; i++) s.write(Buffer.alloc(16 * 1024, i));
      s.end();
    });
    expect(JSON.parse(reply)).toEqual({size: 64 * 16 * 1024, te: 'chunked'});
  });

  it('answers 502 naming the target when a backend speaks something that is not HTTP', async () => {
    const {port} = await rawBackend(() => 'SSH-2.0-OpenSSH_9.2\r\n\r\n');
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${port}`])]);
    const r = await request(h, 'app.localhost', '/');
    expect(r.status).toBe(502);
    expect(r.body).toContain(`http://127.0.0.1:${port}`);
    expect(r.body).toContain('invalid HTTP response');
  });

  it('passes chunked responses through intact, and HEAD and 204 answers, all on one kept-alive connection', async () => {
    const {port, connections} = await rawBackend((req) => {
      if (req.startsWith('GET /chunked')) return 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
      if (req.startsWith('HEAD')) return 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n';
      if (req.startsWith('DELETE')) return 'HTTP/1.1 204 No Content\r\n\r\n';
      return undefined;
    });
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${port}`])]);
    const agent = new https.Agent({keepAlive: true, maxSockets: 1});
    kit.closeAfter(() => agent.destroy());
    for (let i = 0; i < 3; i++) {
      expect((await request(h, 'app.localhost', '/chunked', {agent})).body).toBe('hello world');
      const head = await request(h, 'app.localhost', '/x', {method: 'HEAD', agent});
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe('1234');
      expect((await request(h, 'app.localhost', '/x', {method: 'DELETE', agent})).status).toBe(204);
    }
    expect(connections()).toBe(1);
  });

  it('delivers a body that ends when the backend closes the connection', async () => {
    const server = net.createServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'));
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    kit.closeAfter(() => new Promise((r) => server.close(r)));
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`])]);
    const r = await request(h, 'app.localhost', '/');
    expect(r.status).toBe(200);
    expect(r.body).toBe('until the end');
  });

  it('does not send the next request into a connection whose backend answered before reading the upload', async () => {
    const seen: string[] = [];
    const b = await backend((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/early') {
        res.writeHead(413, {'content-type': 'text/plain'});
        res.end('too big');
        return;
      }
      req.resume();
      req.on('end', () => res.end('fine'));
    });
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    // The client sends 10 of 1000 announced bytes and waits: the backend has already answered.
    const client = tls.connect({host: '127.0.0.1', port: h.proxy.port, servername: 'app.localhost', ca: h.ca, ALPNProtocols: ['http/1.1']});
    kit.closeAfter(() => client.destroy());
    client.write('POST /early HTTP/1.1\r\nHost: app.localhost\r\nContent-Length: 1000\r\n\r\n0123456789');
    const early = await new Promise<string>((resolve) => client.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    expect(early).toMatch(/^HTTP\/1\.1 413/);
    const next = await request(h, 'app.localhost', '/after');
    expect(next).toMatchObject({status: 200, body: 'fine'});
    expect(seen).toEqual(['POST /early', 'GET /after']);
  });

  it('keeps a backend connection working after a large response to a slow client', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 'b');
    const b = await backend((req, res) => (req.url === '/big' ? res.end(big) : res.end('next')));
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])]);
    const hh = h;
    const agent = new https.Agent({keepAlive: true, maxSockets: 1});
    kit.closeAfter(() => agent.destroy());
    // Read the big body slowly, so portico has to hold the backend back.
    const size = await new Promise<number>((resolve, reject) => {
      https
        .get({host: '127.0.0.1', port: hh.proxy.port, path: '/big', servername: 'app.localhost', ca: hh.ca, headers: {host: 'app.localhost'}, agent}, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => {
            n += c.length;
            res.pause();
            setTimeout(() => res.resume(), 2);
          });
          res.on('end', () => resolve(n));
        })
        .on('error', reject);
    });
    expect(size).toBe(big.length);
    for (let i = 0; i < 3; i++) expect((await request(h, 'app.localhost', '/small', {agent})).body).toBe('next');
    expect(b.hits).toBe(4);
  });

  it('takes a pooled connection handed to a queued request as open: timing says connected, and no listener stays on it', async () => {
    // One connection to the backend and eight requests at once: seven wait in the agent's queue and
    // are each handed the connection the one before freed, which Node does not mark reusedSocket.
    const transport = new Transport({maxSockets: 1});
    kit.closeAfter(() => transport.close());
    const b = await backend((_req, res) => res.end('ok'));
    const hub = new EventHub(100);
    kit.closeAfter(hub.subscribe({headers: true, capture: true, send: () => undefined, end: () => undefined}));
    h = await kit.start([route('app.localhost', [`http://127.0.0.1:${b.port}`])], {transport, traffic: hub});
    const replies = await Promise.all(Array.from({length: 8}, (_, i) => request(h!, 'app.localhost', `/${i}`)));
    expect(replies.map((r) => r.body)).toEqual(Array(8).fill('ok'));
    await waitFor(() => hub.captures.all().length === 8, {what: 'eight captures'});
    for (const capture of hub.captures.all()) expect(capture.timing.connected, capture.url).toBeGreaterThanOrEqual(0);
    const agents = (transport as unknown as {agents: Map<string, http.Agent>}).agents;
    const sockets = [...agents.values()].flatMap((a) => [...Object.values(a.freeSockets), ...Object.values(a.sockets)].flat());
    expect(sockets.length).toBeGreaterThan(0);
    for (const socket of sockets) expect(socket!.listenerCount('connect')).toBe(0);
  });
});
