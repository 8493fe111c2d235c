import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import {randomBytes} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import WebSocket, {WebSocketServer} from 'ws';
import {frontDoorFeatures} from '../../../src/frontdoor/index.js';
import {CacheRegistry} from '../../../src/frontdoor/cache-registry.js';
import type {Route, RouteOptions} from '../../../src/routes/types.js';
import type {RequestEvent, TrafficEvent, TrafficSink} from '../../../src/traffic/event.js';
import {proxyKit, request, route, type Harness} from '../../helpers/harness.js';
import {waitFor} from '../../helpers/wait.js';
import {wsOptions} from '../../helpers/ws.js';

/** A WebSocket is an exchange: the route's request passes run on its handshake, and it fails over as HTTP does. */
const kit = proxyKit();

/** Every request event the proxy emits, in order. */
function recorder(): TrafficSink & {requests: () => RequestEvent[]} {
  const events: TrafficEvent[] = [];
  return {active: true, wantsHeaders: true, emit: (e) => void events.push(e), requests: () => events.filter((e): e is RequestEvent => e.type === 'request')};
}

/** A WebSocket echo server that also reports the handshake headers it got; on `host` (127.0.0.1 or ::1) only. */
async function echoBackend(host = '127.0.0.1'): Promise<number> {
  const wss = new WebSocketServer({port: 0, host});
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws, req) =>
    ws.on('message', (m) => ws.send(JSON.stringify({echo: String(m), team: req.headers['x-team'] ?? null, cookie: req.headers.cookie ?? null}))),
  );
  kit.closeAfter(() => new Promise((r) => wss.close(r)));
  return (wss.address() as net.AddressInfo).port;
}

/** A loopback port nothing listens on (connections to it are refused). */
async function refusingPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function withOptions(r: Route, options: RouteOptions): Route {
  return {...r, options};
}

type Outcome = {open: WebSocket} | {status: number; body: string} | {error: string};

/** Open a WebSocket through portico: the open socket, the HTTP answer that refused it, or the connection error. */
function openWs(h: Harness, host: string, headers: Record<string, string> = {}): Promise<Outcome> {
  const ws = new WebSocket(`wss://127.0.0.1:${h.proxy.port}/ws`, wsOptions(host, h.ca, {headers}));
  kit.closeAfter(() => ws.terminate());
  return new Promise((resolve) => {
    ws.once('open', () => resolve({open: ws}));
    ws.once('unexpected-response', (_req, res: http.IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}));
    });
    ws.once('error', (e) => resolve({error: e.message}));
  });
}

async function echo(ws: WebSocket, text: string): Promise<{echo: string; team: string | null; cookie: string | null}> {
  const reply = new Promise<string>((r) => ws.once('message', (m) => r(String(m))));
  ws.send(text);
  return JSON.parse(await reply);
}

/** An RFC 8441 WebSocket over HTTP/2: the CONNECT stream's response headers. */
function h2Connect(h: Harness, host: string): Promise<{stream: http2.ClientHttp2Stream; status: number}> {
  const session = http2.connect(`https://127.0.0.1:${h.proxy.port}`, {ca: h.ca, servername: host});
  session.on('error', () => undefined);
  kit.closeAfter(() => session.close());
  return new Promise((resolve, reject) => {
    session.once('remoteSettings', () => {
      const stream = session.request(
        {':method': 'CONNECT', ':protocol': 'websocket', ':path': '/ws', ':scheme': 'https', ':authority': host, 'sec-websocket-version': '13'},
        {endStream: false},
      );
      stream.on('error', () => undefined);
      stream.once('response', (headers) => resolve({stream, status: Number(headers[':status'])}));
      stream.once('close', () => reject(new Error('the CONNECT stream closed without a response')));
    });
  });
}

/** One masked text frame, by hand (FIN+text, MASK+len, key, payload ^ key). */
function maskedFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const key = randomBytes(4);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

/**
 * Waits until the proxy has emitted the event of a plain request made after `what`: events leave in
 * the order exchanges end, so anything `what` would log twice is in by then.
 */
async function settle(h: Harness, sink: ReturnType<typeof recorder>): Promise<void> {
  const before = sink.requests().length;
  await request(h, 'settle.localhost', '/');
  await waitFor(
    () =>
      sink
        .requests()
        .slice(before)
        .some((e) => e.host === 'settle.localhost'),
    {what: 'the event of the settling request'},
  );
}

describe('WebSockets and plain requests to a backend on ::1 only', () => {
  it('forwards a request and tunnels a WebSocket over HTTP/1.1 and HTTP/2 to a dev server that listens on [::1] alone', async () => {
    const port = await echoBackend('::1');
    const plain = await kit.backend();
    const v6 = http.createServer((_req, res) => res.end('from ::1'));
    await new Promise<void>((r) => v6.listen(0, '::1', r));
    kit.closeAfter(() => new Promise((r) => v6.close(r)));
    const httpPort = (v6.address() as net.AddressInfo).port;
    const h = await kit.start([route('ws.localhost', [port]), route('web.localhost', [httpPort]), route('settle.localhost', [plain.port])]);
    expect((await request(h, 'web.localhost', '/')).body).toBe('from ::1');
    const opened = await openWs(h, 'ws.localhost');
    if (!('open' in opened)) throw new Error(`the WebSocket was refused: ${JSON.stringify(opened)}`);
    expect((await echo(opened.open, 'over h1')).echo).toBe('over h1');
    const {stream, status} = await h2Connect(h, 'ws.localhost');
    expect(status).toBe(200);
    stream.write(maskedFrame('over h2'));
    const frame = await new Promise<Buffer>((r) => stream.once('data', r));
    expect(JSON.parse(frame.subarray(2, 2 + frame[1]!).toString()).echo).toBe('over h2');
    stream.close();
  });
});

describe('the route options that apply to a WebSocket handshake', () => {
  it('request header rules set and remove headers on the upgrade request', async () => {
    const h = await kit.start([
      withOptions(route('app.localhost', [await echoBackend()]), {requestHeaders: [{name: 'x-team', value: 'blue'}, {name: 'cookie'}]}),
    ]);
    const opened = await openWs(h, 'app.localhost', {cookie: 'session=secret'});
    if (!('open' in opened)) throw new Error(`the WebSocket was refused: ${JSON.stringify(opened)}`);
    expect(await echo(opened.open, 'hi')).toEqual({echo: 'hi', team: 'blue', cookie: null});
  });

  it('a rate limit refuses the handshake over it with 429, logged once', async () => {
    const sink = recorder();
    const plain = await kit.backend();
    const h = await kit.start(
      [withOptions(route('app.localhost', [await echoBackend()]), {rateLimit: {perSecond: 0.001, burst: 1}}), route('settle.localhost', [plain.port])],
      {traffic: sink},
    );
    expect('open' in (await openWs(h, 'app.localhost'))).toBe(true);
    const refused = await openWs(h, 'app.localhost');
    expect(refused).toMatchObject({status: 429});
    await settle(h, sink);
    const refusals = sink.requests().filter((e) => e.status === 429);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({protocol: 'ws', host: 'app.localhost', notes: ['rate-limited']});
  });

  it('an injected failure refuses the handshake with its status on HTTP/1.1 and HTTP/2, one event each', async () => {
    const sink = recorder();
    const plain = await kit.backend();
    const h = await kit.start(
      [withOptions(route('app.localhost', [await echoBackend()]), {fail: {rate: 1, status: 503}}), route('settle.localhost', [plain.port])],
      {traffic: sink},
    );
    const refused = await openWs(h, 'app.localhost');
    expect(refused).toMatchObject({status: 503});
    expect((refused as {body: string}).body).toContain('failure injected by portico');
    expect((await h2Connect(h, 'app.localhost')).status).toBe(503);
    await settle(h, sink);
    const refusals = sink.requests().filter((e) => e.status === 503);
    expect(refusals.map((e) => e.protocol)).toEqual(['ws', 'ws']);
    expect(refusals.map((e) => e.method).sort()).toEqual(['CONNECT', 'GET']);
  });

  it('an injected drop resets the connection instead of opening the WebSocket, and an injected delay runs before the backend is asked', async () => {
    const sink = recorder();
    const plain = await kit.backend();
    const backendPort = await echoBackend();
    const dropped = await kit.start([withOptions(route('app.localhost', [backendPort]), {drop: {rate: 1}}), route('settle.localhost', [plain.port])], {
      traffic: sink,
    });
    expect(await openWs(dropped, 'app.localhost')).toHaveProperty('error');
    await settle(dropped, sink);
    expect(sink.requests().filter((e) => e.host === 'app.localhost')).toMatchObject([{protocol: 'ws', status: 0, error: 'dropped'}]);

    const slept: number[] = [];
    const features = frontDoorFeatures({registry: new CacheRegistry(), sleep: async (ms) => void slept.push(ms)});
    const delayed = await kit.start([withOptions(route('app.localhost', [backendPort]), {delay: {minMs: 40, maxMs: 40}})], {traffic: sink, features});
    const opened = await openWs(delayed, 'app.localhost');
    if (!('open' in opened)) throw new Error(`the WebSocket was refused: ${JSON.stringify(opened)}`);
    expect(slept).toEqual([40]);
  });

  it('with --cors, a handshake from an unlisted origin gets 403, while listed origins, the route itself and clients without Origin connect', async () => {
    const sink = recorder();
    const plain = await kit.backend();
    const h = await kit.start(
      [withOptions(route('app.localhost', [await echoBackend()]), {cors: {origins: ['https://ui.localhost']}}), route('settle.localhost', [plain.port])],
      {traffic: sink},
    );
    const foreign = await openWs(h, 'app.localhost', {origin: 'https://evil.example'});
    expect(foreign).toMatchObject({status: 403});
    expect((foreign as {body: string}).body).toContain('https://evil.example');
    for (const origin of ['https://ui.localhost', 'https://app.localhost', undefined]) {
      const opened = await openWs(h, 'app.localhost', origin ? {origin} : {});
      expect('open' in opened, `origin ${origin}`).toBe(true);
    }
    await settle(h, sink);
    expect(sink.requests().filter((e) => e.status === 403)).toMatchObject([{protocol: 'ws', notes: ['cors: origin refused']}]);
  });

  it('with bare --cors, only pages of this portico (*.localhost on its port) open a socket; with --cors=* a foreign page still cannot, since a handshake carries cookies', async () => {
    const h = await kit.start([
      withOptions(route('app.localhost', [await echoBackend()]), {cors: {origins: ['self']}}),
      withOptions(route('star.localhost', [await echoBackend()]), {cors: {origins: ['*']}}),
    ]);
    const port = h.proxy.port;
    const own = await openWs(h, `app.localhost:${port}`, {origin: `https://ui.localhost:${port}`});
    expect('open' in own).toBe(true);
    for (const origin of ['https://evil.example', `https://ui.localhost:${port + 1}`, `http://ui.localhost:${port}`]) {
      expect(await openWs(h, `app.localhost:${port}`, {origin}), origin).toMatchObject({status: 403});
    }
    expect(await openWs(h, `star.localhost:${port}`, {origin: 'https://evil.example'})).toMatchObject({status: 403});
  });
});

describe('WebSocket fail-over and refusals', () => {
  it('moves on to the next instance when the first refuses the connection, as HTTP requests do', async () => {
    const sink = recorder();
    // The first instance listened once and stopped, as a dev server that just exited: nothing has
    // probed it (probes start with a route's traffic), so the WebSocket is the first to find it refusing.
    const dying = net.createServer();
    await new Promise<void>((r) => dying.listen(0, '127.0.0.1', r));
    const dead = (dying.address() as net.AddressInfo).port;
    await new Promise((r) => dying.close(r));
    const alive = await echoBackend();
    const h = await kit.start([route('app.localhost', [`http://127.0.0.1:${dead}`, `http://127.0.0.1:${alive}`], {strategy: 'first'})], {traffic: sink});
    const opened = await openWs(h, 'app.localhost');
    if (!('open' in opened)) throw new Error(`the WebSocket was refused: ${JSON.stringify(opened)}`);
    expect((await echo(opened.open, 'still here')).echo).toBe('still here');
    opened.open.close();
    await waitFor(() => sink.requests().find((e) => e.host === 'app.localhost'), {what: 'the WebSocket session to end'});
    const [event] = sink.requests().filter((e) => e.host === 'app.localhost');
    expect(event).toMatchObject({status: 101, protocol: 'ws', target: `http://127.0.0.1:${alive}`});
    expect(event!.attempts).toMatchObject([{target: `http://127.0.0.1:${dead}`, error: 'ECONNREFUSED'}, {target: `http://127.0.0.1:${alive}`}]);
  });

  it('answers 502 naming every instance when all refuse, logged once', async () => {
    const sink = recorder();
    const plain = await kit.backend();
    const [a, b] = [await refusingPort(), await refusingPort()];
    const h = await kit.start([route('app.localhost', [`http://127.0.0.1:${a}`, `http://127.0.0.1:${b}`]), route('settle.localhost', [plain.port])], {
      traffic: sink,
    });
    const refused = await openWs(h, 'app.localhost');
    expect(refused).toMatchObject({status: 502});
    for (const port of [a, b]) expect((refused as {body: string}).body).toContain(`http://127.0.0.1:${port}`);
    await settle(h, sink);
    expect(sink.requests().filter((e) => e.host === 'app.localhost')).toMatchObject([{status: 502, protocol: 'ws', error: 'ECONNREFUSED'}]);
  });

  it('logs a WebSocket to an unknown host once, as a 404', async () => {
    const sink = recorder();
    const plain = await kit.backend();
    const h = await kit.start([route('settle.localhost', [plain.port])], {traffic: sink});
    expect(await openWs(h, 'nowhere.localhost')).toMatchObject({status: 404});
    await settle(h, sink);
    expect(sink.requests().filter((e) => e.host === 'nowhere.localhost')).toMatchObject([{status: 404, protocol: 'ws', error: 'no route'}]);
  });
});
