import http2 from 'node:http2';
import https from 'node:https';
import {gzipSync} from 'node:zlib';
import {waitFor} from '../../helpers/wait.js';
import {describe, expect, it} from 'vitest';
import WebSocket, {WebSocketServer} from 'ws';
import {EventHub} from '../../../src/daemon/hub.js';
import {viewBody} from '../../../src/traffic/body.js';
import type {RequestEvent} from '../../../src/traffic/event.js';
import {request, route, startBackend, proxyKit, type Harness} from '../../helpers/harness.js';

let h: Harness | undefined;
const kit = proxyKit();

/** A hub with a viewer attached that asks for capture, as the dashboard does. */
function capturingHub(capture = true): {hub: EventHub; events: RequestEvent[]} {
  const hub = new EventHub(1000);
  const events: RequestEvent[] = [];
  const unsubscribe = hub.subscribe({headers: true, capture, send: (e) => void (e.type === 'request' && events.push(e)), end: () => {}});
  kit.closeAfter(unsubscribe);
  return {hub, events};
}

async function eventFor(events: RequestEvent[], path: string): Promise<RequestEvent> {
  await waitFor(() => events.some((e) => e.path === path), {what: 'events.some((e) => e.path === path)'});
  return events.find((e) => e.path === path)!;
}

const text = (b: {base64: string} | undefined) => Buffer.from(b?.base64 ?? '', 'base64').toString('utf8');

describe('capture while a viewer asks for it', () => {
  it('records a JSON POST body, the gzip response as the client got it, timing and the attempt', async () => {
    const b = await startBackend('api', (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, {'content-type': 'application/json', 'content-encoding': 'gzip', connection: 'keep-alive', 'keep-alive': 'timeout=5'});
        res.end(gzipSync(JSON.stringify({id: 7, name: 'Ada'})));
      });
    });
    kit.closeAfter(() => b.close());
    const {hub, events} = capturingHub();
    h = await kit.start([route('api.localhost', [b.port])], {traffic: hub});
    const reply = await request(h, 'api.localhost', '/users', {method: 'POST', body: '{"name":"Ada"}', headers: {'content-type': 'application/json'}});
    expect(reply.status).toBe(201);
    const event = await eventFor(events, '/users');
    expect(event.captured).toBe(true);
    const c = hub.captures.get(event.id)!;
    expect(text(c.requestBody)).toBe('{"name":"Ada"}');
    expect(c.responseHeaders!['content-encoding']).toBe('gzip');
    expect(c.responseHeaders!.connection).toBeUndefined();
    expect(c.responseHeaders!['keep-alive']).toBeUndefined();
    expect(viewBody(c.responseBody, c.responseHeaders).text).toBe('{\n  "id": 7,\n  "name": "Ada"\n}');
    expect(c.source).toBe('backend');
    expect(c.attempts).toEqual([expect.objectContaining({target: `http://localhost:${b.port}`})]);
    expect(c.timing.firstByte).toBeGreaterThanOrEqual(0);
    expect(c.timing.end).toBeGreaterThanOrEqual(c.timing.firstByte!);
  });

  it('keeps the first 64 KiB of a large upload while the backend receives all of it', async () => {
    let received = 0;
    const b = await startBackend('big', (req, res) => {
      req.on('data', (d: Buffer) => (received += d.length));
      req.on('end', () => res.end('ok'));
    });
    kit.closeAfter(() => b.close());
    const {hub, events} = capturingHub();
    h = await kit.start([route('big.localhost', [b.port])], {traffic: hub});
    const reply = await request(h, 'big.localhost', '/upload', {method: 'PUT', body: Buffer.alloc(300 * 1024, 'z')});
    expect(reply.body).toBe('ok');
    expect(received).toBe(300 * 1024);
    const c = hub.captures.get((await eventFor(events, '/upload')).id)!;
    expect(c.requestBody).toMatchObject({size: 300 * 1024, truncated: true});
    expect(Buffer.from(c.requestBody!.base64, 'base64')).toHaveLength(64 * 1024);
  });

  it('sends a large response whole to a client that reads slowly, keeping its first 64 KiB', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = i % 251;
    const b = await startBackend('large', (_req, res) => {
      res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': body.length});
      res.end(body);
    });
    kit.closeAfter(() => b.close());
    const {hub, events} = capturingHub();
    h = await kit.start([route('large.localhost', [b.port])], {traffic: hub});
    const got = await new Promise<Buffer>((resolve, reject) => {
      const req = https.request(
        {host: '127.0.0.1', port: h!.proxy.port, path: '/file', servername: 'large.localhost', ca: h!.ca, headers: {host: 'large.localhost'}},
        (res) => {
          const chunks: Buffer[] = [];
          // Read a chunk, then stop until the next turn of the event loop that has nothing else to do: the proxy must pause, not buffer or drop.
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            res.pause();
            setImmediate(() => res.resume());
          });
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(got.equals(body)).toBe(true);
    const c = hub.captures.get((await eventFor(events, '/file')).id)!;
    expect(c.responseBody).toMatchObject({size: body.length, truncated: true});
    expect(Buffer.from(c.responseBody!.base64, 'base64').equals(body.subarray(0, 64 * 1024))).toBe(true);
  });

  it('breaks the client response when the backend breaks mid-body, and records what came', async () => {
    const b = await startBackend('broken', (_req, res) => {
      res.writeHead(200, {'content-type': 'text/plain', 'content-length': 1000});
      res.write('half of it');
      setImmediate(() => res.socket?.destroy());
    });
    kit.closeAfter(() => b.close());
    const {hub, events} = capturingHub();
    h = await kit.start([route('broken.localhost', [b.port])], {traffic: hub});
    const outcome = await new Promise<string>((resolve) => {
      const req = https.request(
        {host: '127.0.0.1', port: h!.proxy.port, path: '/cut', servername: 'broken.localhost', ca: h!.ca, headers: {host: 'broken.localhost'}},
        (res) => {
          res.resume();
          res.on('end', () => resolve('clean end'));
          res.on('error', () => resolve('broken'));
          res.on('aborted', () => resolve('broken'));
        },
      );
      req.on('error', () => resolve('broken'));
      req.end();
    });
    expect(outcome).toBe('broken');
    const event = await eventFor(events, '/cut');
    expect(event.error).toBeDefined();
    expect(text(hub.captures.get(event.id)!.responseBody)).toBe('half of it');
  });

  it('records the page portico sent for an unknown host and for a backend that is down, with its bytes', async () => {
    const {hub, events} = capturingHub();
    h = await kit.start([route('down.localhost', [1])], {traffic: hub});
    const missing = await request(h, 'nothing.localhost', '/x');
    const down = await request(h, 'down.localhost', '/y');
    expect(missing.status).toBe(404);
    expect(down.status).toBe(502);
    const e404 = await eventFor(events, '/x');
    const e502 = await eventFor(events, '/y');
    expect(e404.bytes).toBe(Buffer.byteLength(missing.body));
    const c404 = hub.captures.get(e404.id)!;
    expect(c404.source).toBe('portico');
    expect(c404.responseHeaders!['content-type']).toBe('text/html; charset=utf-8');
    expect(text(c404.responseBody)).toBe(missing.body);
    const c502 = hub.captures.get(e502.id)!;
    expect(c502.source).toBe('portico');
    expect(text(c502.responseBody)).toBe(down.body);
    expect(c502.attempts.some((a) => a.error === 'ECONNREFUSED')).toBe(true);
  });

  it('shows an HTTP/2 client the response headers it got, without connection or keep-alive', async () => {
    const b = await startBackend('h2', (_req, res) => {
      res.writeHead(200, {'content-type': 'text/plain', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'x-app': 'yes'});
      res.end('hi');
    });
    kit.closeAfter(() => b.close());
    const {hub, events} = capturingHub();
    h = await kit.start([route('h2.localhost', [b.port])], {traffic: hub});
    const session = http2.connect(`https://127.0.0.1:${h.proxy.port}`, {ca: h.ca, servername: 'h2.localhost'});
    kit.closeAfter(() => session.close());
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      const stream = session.request({':path': '/h2', ':authority': 'h2.localhost'});
      stream.on('response', (head) => {
        stream.resume();
        stream.on('end', () => resolve(head));
      });
      stream.on('error', reject);
      stream.end();
    });
    expect(headers['x-app']).toBe('yes');
    const event = await eventFor(events, '/h2');
    expect(event.protocol).toBe('h2');
    expect(Object.keys(event.responseHeaders!)).not.toContain('connection');
    expect(Object.keys(event.responseHeaders!)).not.toContain('keep-alive');
    expect(hub.captures.get(event.id)!.responseHeaders!['x-app']).toBe('yes');
  });

  it('records the messages of a WebSocket session, bounded, in its capture', async () => {
    const b = await startBackend('ws', (_req, res) => res.end('no'));
    const wss = new WebSocketServer({server: b.server});
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${String(m)}`)));
    kit.closeAfter(() => b.close());
    kit.closeAfter(() => new Promise((r) => wss.close(r)));
    const {hub, events} = capturingHub();
    h = await kit.start([route('ws.localhost', [b.port])], {traffic: hub});
    const ws = new WebSocket(`wss://127.0.0.1:${h.proxy.port}/socket`, {
      ca: h.ca,
      servername: 'ws.localhost',
      headers: {host: 'ws.localhost'},
    } as WebSocket.ClientOptions);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => ws.send('hello'));
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    ws.close();
    const event = await eventFor(events, '/socket');
    expect(event.protocol).toBe('ws');
    const c = hub.captures.get(event.id)!;
    expect(c.websocket!.messages.map((m) => m.from)).toEqual(expect.arrayContaining(['client', 'backend']));
    const fromBackend = c.websocket!.messages.find((m) => m.from === 'backend')!;
    expect(Buffer.from(fromBackend.base64, 'base64').toString('latin1')).toContain('echo hello');
  });

  it('captures nothing while no viewer asks for it', async () => {
    const b = await startBackend('quiet');
    kit.closeAfter(() => b.close());
    const {hub, events} = capturingHub(false);
    h = await kit.start([route('quiet.localhost', [b.port])], {traffic: hub});
    await request(h, 'quiet.localhost', '/q', {method: 'POST', body: 'x'});
    const event = await eventFor(events, '/q');
    expect(event.captured).toBeUndefined();
    expect(hub.captures.length).toBe(0);
  });
});
