import http2 from 'node:http2';
import {Readable} from 'node:stream';
import {waitFor} from '../../helpers/wait.js';
import {afterEach, describe, expect, it} from 'vitest';
import type {Exchange, ExchangeResponse, PassFactory} from '../../../src/pipeline/exchange.js';
import type {RequestEvent, TrafficEvent, TrafficSink} from '../../../src/traffic/event.js';
import {request, route, startBackend, startHarness, type Harness} from '../../helpers/harness.js';

let h: Harness | undefined;
const closers: Array<() => unknown> = [];
const added: PassFactory[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
  await h?.close();
  h = undefined;
  added.splice(0);
});

/** Give the next proxy this test starts a feature (each test builds its own pipeline). */
function feature(f: PassFactory): void {
  added.push(f);
}

/** A proxy whose routes get exactly the features this test added, in order. */
function start(routes: Parameters<typeof startHarness>[0], options: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
  return startHarness(routes, {...options, features: [...added]});
}

function sink(): TrafficSink & {events: RequestEvent[]} {
  const events: RequestEvent[] = [];
  return {active: true, wantsHeaders: false, events, emit: (e: TrafficEvent) => void (e.type === 'request' && events.push(e))};
}

const stamp: PassFactory = {
  name: 'stamp',
  response: () => (_ex: Exchange, r: ExchangeResponse) => ({...r, headers: {...r.headers, 'x-stamp': `${r.source} ${r.status}`}}),
};

describe('the request pipeline (the features handed to the proxy)', () => {
  it('runs a route feature’s response pass on the backend’s answer', async () => {
    const b = await startBackend('b', (_req, res) => res.end('hello'));
    closers.push(() => b.close());
    feature(stamp);
    h = await start([route('app.localhost', [b.port])]);
    const reply = await request(h, 'app.localhost', '/');
    expect(reply.body).toBe('hello');
    expect(reply.headers['x-stamp']).toBe('backend 200');
  });

  it('lets a request pass answer by itself, and response passes still apply to that answer', async () => {
    const b = await startBackend('b', (_req, res) => res.end('from backend'));
    closers.push(() => b.close());
    feature({
      name: 'short-circuit',
      request: () => (ex: Exchange) => {
        if (!ex.url.startsWith('/fake')) return 'next';
        ex.notes.push('answered by pass');
        ex.respond({status: 418, headers: {'content-type': 'text/plain'}, body: Readable.from([Buffer.from('teapot')]), source: 'portico'});
        return 'answered';
      },
    });
    feature(stamp);
    const traffic = sink();
    h = await start([route('app.localhost', [b.port])], {traffic});
    const fake = await request(h, 'app.localhost', '/fake');
    expect(fake).toMatchObject({status: 418, body: 'teapot'});
    expect(fake.headers['x-stamp']).toBe('portico 418');
    expect((await request(h, 'app.localhost', '/real')).body).toBe('from backend');
    expect(b.hits).toBe(1);
    await waitFor(() => traffic.events.length === 2, {what: 'traffic.events.length === 2'});
    expect(traffic.events[0]).toMatchObject({status: 418, notes: ['answered by pass']});
  });

  it('sends portico’s own 502 page through the response passes, with the failed attempts recorded', async () => {
    feature(stamp);
    let seen: Exchange | undefined;
    feature({name: 'watch', response: () => (ex: Exchange, r: ExchangeResponse) => ((seen = ex), r)});
    h = await start([route('app.localhost', ['http://127.0.0.1:1'])]);
    const reply = await request(h, 'app.localhost', '/');
    expect(reply.status).toBe(502);
    expect(reply.headers['x-stamp']).toBe('portico 502');
    expect(seen!.attempts).toEqual([{target: 'http://127.0.0.1:1', at: expect.any(Number), error: 'ECONNREFUSED'}]);
  });

  it('records when the instance was picked, connected, sent, answered and finished', async () => {
    const b = await startBackend('b', (_req, res) => res.end('ok'));
    closers.push(() => b.close());
    const exchanges: Exchange[] = [];
    feature({name: 'watch', request: () => (ex: Exchange) => (exchanges.push(ex), 'next')});
    h = await start([route('app.localhost', [b.port])]);
    await request(h, 'app.localhost', '/', {method: 'POST', body: 'x'.repeat(1000)});
    await new Promise<void>((resolve) => exchanges[0]!.whenDone!(resolve));
    const t = exchanges[0]!.timing;
    expect(t.picked! <= t.connected! && t.connected! <= t.sent! && t.sent! <= t.firstByte! && t.firstByte! <= t.end!).toBe(true);
    expect(exchanges[0]!.attempts).toHaveLength(1);
  });

  it('lets a pass observe the request body while it streams to the backend', async () => {
    const b = await startBackend('b', (req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(String(n)));
    });
    closers.push(() => b.close());
    let observed = 0;
    feature({name: 'observe', request: () => (ex: Exchange) => (ex.requestBody.on('data', (c: Buffer) => (observed += c.length)), 'next')});
    h = await start([route('app.localhost', [b.port])]);
    const reply = await request(h, 'app.localhost', '/', {method: 'POST', body: Buffer.alloc(300_000, 1)});
    expect(reply.body).toBe('300000');
    expect(observed).toBe(300_000);
  });

  it('records an HTTP/2 request with a body as answered cleanly, and one the client resets mid-body as client closed', async () => {
    const b = await startBackend('app', (req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/slow') {
          res.writeHead(200, {'content-type': 'text/plain'});
          res.write('first part');
          return; // never ends: the client resets the stream after the first part
        }
        res.end('stored');
      });
    });
    closers.push(() => b.close());
    const traffic = sink();
    h = await start([route('app.localhost', [b.port])], {traffic});
    const session = http2.connect(`https://app.localhost:${h.proxy.port}`, {
      ca: h.ca,
      servername: 'app.localhost',
      host: '127.0.0.1',
    } as http2.SecureClientSessionOptions);
    closers.push(() => session.destroy());
    const post = session.request({':method': 'POST', ':path': '/save', ':authority': 'app.localhost', 'content-type': 'text/plain'});
    post.end('a=1');
    const chunks: Buffer[] = [];
    post.on('data', (c: Buffer) => chunks.push(c));
    await new Promise((resolve) => post.on('end', resolve));
    expect(Buffer.concat(chunks).toString()).toBe('stored');
    await waitFor(() => traffic.events.some((e) => e.path === '/save'), {what: 'the event of /save'});
    const saved = traffic.events.find((e) => e.path === '/save');
    expect(saved).toMatchObject({status: 200, protocol: 'h2'});
    expect(saved?.error).toBeUndefined();

    const slow = session.request({':method': 'POST', ':path': '/slow', ':authority': 'app.localhost'});
    slow.end('b=2');
    await new Promise((resolve) => slow.once('data', resolve));
    slow.close(http2.constants.NGHTTP2_CANCEL);
    await waitFor(() => traffic.events.some((e) => e.path === '/slow'), {what: 'the event of /slow'});
    expect(traffic.events.find((e) => e.path === '/slow')?.error).toBe('client closed');
  });
});
