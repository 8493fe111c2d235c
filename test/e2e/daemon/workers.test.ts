import {readFileSync, statSync} from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import path from 'node:path';
import tls from 'node:tls';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import WebSocket, {WebSocketServer} from 'ws';
import {call} from '../../../src/daemon/client.js';
import {statePaths} from '../../../src/state/home.js';
import type {TrafficEvent} from '../../../src/traffic/event.js';
import {backend, cli, daemonPort, get, tempHome} from '../../helpers/cli.js';
import {freePort, running} from '../../helpers/daemon.js';
import {waitFor} from '../../helpers/wait.js';
import {wsOptions} from '../../helpers/ws.js';

// `portico up --workers 2`: the daemon and one worker process share the connections (README "Workers").
let t: ReturnType<typeof tempHome>;
let app: Awaited<ReturnType<typeof backend>>;
let port: number;
let ca: Buffer;
beforeAll(async () => {
  t = tempHome();
  app = await backend('app');
  const up = await cli(['up', '--port', '0', '--workers', '2'], {env: t.env});
  expect(up.code, up.stderr).toBe(0);
  expect(up.stdout).toContain('2 processes serve connections');
  port = await daemonPort(t.env);
  ca = readFileSync(path.join(t.home, 'ca.pem'));
});
afterAll(async () => {
  await t?.cleanup();
  await app?.close();
});

/** The worker processes of the daemon: its children running worker.js. */
function workerPids(): number[] {
  const daemon = (JSON.parse(readFileSync(path.join(t.home, 'daemon.json'), 'utf8')) as {pid: number}).pid;
  const children = readFileSync(`/proc/${daemon}/task/${daemon}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('worker.js');
    } catch {
      return false;
    }
  });
}

async function events(): Promise<Extract<TrafficEvent, {type: 'request'}>[]> {
  const logs = await cli(['logs', '--json', '-n', '1000'], {env: t.env});
  expect(logs.code, logs.stderr).toBe(0);
  return logs.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrafficEvent)
    .filter((e): e is Extract<TrafficEvent, {type: 'request'}> => e.type === 'request');
}

/** The health events in `logs`, after every process answered `ls` (what a worker sent before is in by then). */
async function healthEvents(route: string): Promise<Extract<TrafficEvent, {type: 'health'}>[]> {
  expect((await cli(['ls', '--json'], {env: t.env})).code).toBe(0);
  const logs = await cli(['logs', '--json', '-n', '1000'], {env: t.env});
  return logs.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrafficEvent)
    .filter((e): e is Extract<TrafficEvent, {type: 'health'}> => e.type === 'health' && e.route === route);
}

/** A backend whose /healthz answers `health`, counting the probes. */
async function probed(health: number): Promise<{port: number; probes: () => number; close: () => void}> {
  let probes = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') probes++;
    res.writeHead(req.url === '/healthz' ? health : 200).end(`probed ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {port: (server.address() as {port: number}).port, probes: () => probes, close: () => server.close()};
}

/** `n` requests one after another, each on a connection of its own (`get` uses no agent). */
async function fresh(host: string, n: number, prefix: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await get(port, host, `${prefix}${i}`, t.home)).status);
  return statuses;
}

/** GET over an HTTP/2 session; the body. */
function h2get(session: http2.ClientHttp2Session, host: string, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({':path': urlPath, ':authority': host});
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (body += d));
    stream.on('end', () => resolve(body));
    stream.on('error', reject);
  });
}

describe('portico up --workers 2', () => {
  it('runs one worker process and shares the connections with it; ls counts every request once', async () => {
    expect(workerPids()).toHaveLength(1);
    expect((await cli(['add', 'api.localhost', String(app.port)], {env: t.env})).code).toBe(0);
    // Right after `add` returns, both processes serve the route: no connection gets a 404.
    expect(await fresh('api.localhost', 10, '/shared/')).toEqual(Array(10).fill(200));
    const served = (await events()).filter((e) => e.path.startsWith('/shared/'));
    expect(served).toHaveLength(10);
    const byWorker = served.filter((e) => e.worker === 1).length;
    // Round robin over two processes, one connection each: half and half.
    expect(byWorker).toBe(5);
    expect(new Set(served.map((e) => e.id)).size).toBe(10);
    const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {routes: {host: string; targets: {requests: number}[]}[]};
    expect(ls.routes.find((r) => r.host === 'api.localhost')?.targets[0]?.requests).toBe(10);
  });

  it('resumes a TLS session on whichever process gets the next connection', async () => {
    let session: Buffer | undefined;
    const reused: boolean[] = [];
    // Four connections one after another: round robin puts them on the daemon and the worker in turn.
    for (let i = 0; i < 4; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = tls.connect({host: '127.0.0.1', port, servername: 'api.localhost', ca, session, ALPNProtocols: ['http/1.1']}, () => {
          reused.push(socket.isSessionReused());
          socket.end('GET / HTTP/1.1\r\nHost: api.localhost\r\nConnection: close\r\n\r\n');
        });
        socket.on('session', (s: Buffer) => (session = s));
        socket.on('data', () => undefined);
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
    }
    expect(reused).toEqual([false, true, true, true]);
  });

  it('keeps one rate limit across processes: routes with shared state are served by the daemon', async () => {
    expect((await cli(['add', 'limited.localhost', String(app.port), '--rate-limit', '1/min,burst=3'], {env: t.env})).code).toBe(0);
    const statuses = await fresh('limited.localhost', 8, '/limited/');
    // Each process keeping buckets of its own would let 3 through each: 6.
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    // The worker relayed its share; the daemon served and logged each one once, as the client sent it.
    const limited = (await events()).filter((e) => e.path.startsWith('/limited/'));
    expect(limited).toHaveLength(8);
    expect(limited.every((e) => e.worker === undefined && e.protocol === 'h1')).toBe(true);
  });

  it('relays HTTP/2 requests with bodies, and WebSockets, on a route the daemon owns', async () => {
    expect((await cli(['add', 'gated.localhost', String(app.port), '--rate-limit', '100/s'], {env: t.env})).code).toBe(0);
    // Two HTTP/2 connections: one lands on the worker, which relays its streams.
    for (let c = 0; c < 2; c++) {
      const session = http2.connect(`https://127.0.0.1:${port}`, {ca, servername: 'gated.localhost'});
      const answer = await new Promise<{status: number; body: string}>((resolve, reject) => {
        const stream = session.request({':method': 'POST', ':path': `/h2/${c}`, ':authority': 'gated.localhost', 'content-type': 'text/plain'});
        let body = '';
        let status = 0;
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.setEncoding('utf8');
        stream.on('data', (d: string) => (body += d));
        stream.on('end', () => resolve({status, body}));
        stream.on('error', reject);
        stream.end('payload');
      });
      session.close();
      expect(answer).toEqual({status: 200, body: `app POST /h2/${c}`});
    }
    const h2 = (await events()).filter((e) => e.path.startsWith('/h2/'));
    expect(h2.map((e) => e.protocol)).toEqual(['h2', 'h2']);

    const wss = new WebSocketServer({port: 0, host: '127.0.0.1'});
    wss.on('connection', (socket) => socket.on('message', (m) => socket.send(`echo ${m}`)));
    await new Promise((r) => wss.once('listening', r));
    try {
      const wsPort = (wss.address() as {port: number}).port;
      expect((await cli(['add', 'live.localhost', String(wsPort), '--rate-limit', '100/s'], {env: t.env})).code).toBe(0);
      for (let c = 0; c < 2; c++) {
        const ws = new WebSocket(`wss://127.0.0.1:${port}/socket`, wsOptions('live.localhost', ca));
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        const echoed = new Promise<string>((r) => ws.once('message', (m) => r(String(m))));
        ws.send(`hello ${c}`);
        expect(await echoed).toBe(`echo hello ${c}`);
        ws.close();
      }
    } finally {
      wss.close();
    }
  });

  it('takes relayed requests only from its workers: the relay socket wants their secret', async () => {
    const relay = path.join(t.home, 'relay.sock');
    expect(statSync(relay).mode & 0o777).toBe(0o600);
    for (const mark of [undefined, 'guessed h1 443 203.0.113.9']) {
      const answer = await new Promise<number>((resolve, reject) => {
        const req = http.request({socketPath: relay, path: '/', headers: {host: 'limited.localhost', ...(mark ? {'x-portico-relay': mark} : {})}}, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer).toBe(403);
    }
  });

  it('captures what a worker served while a viewer asks for captures', async () => {
    const paths = statePaths(t.home);
    // A viewer that wants captures, as the dashboard is: the stream's headers mean it is in force everywhere.
    const viewer = http.request({socketPath: paths.socket, path: '/events?capture=1&headers=1&history=0'});
    const subscribed = new Promise<http.IncomingMessage>((resolve, reject) => {
      viewer.once('response', resolve);
      viewer.once('error', reject);
    });
    viewer.end();
    const stream = await subscribed;
    stream.resume();
    try {
      expect(await fresh('api.localhost', 4, '/captured/')).toEqual([200, 200, 200, 200]);
      const fromWorker = await waitFor(async () => (await events()).find((e) => e.path.startsWith('/captured/') && e.worker === 1), {
        what: 'an event from the worker',
      });
      expect(fromWorker.captured).toBe(true);
      const capture = await call(paths, 'exchange', {id: fromWorker.id});
      expect(capture.status).toBe(200);
      expect(Buffer.from(capture.responseBody?.base64 ?? '', 'base64').toString()).toBe(`app GET ${fromWorker.path}`);
    } finally {
      viewer.destroy();
    }
  });

  it('has one health per target: a target a worker finds refusing is announced once, by the daemon', async () => {
    const dead = await freePort();
    expect((await cli(['add', 'pair.localhost', String(app.port), String(dead)], {env: t.env})).code).toBe(0);
    // Both processes serve the route; each would try the refusing target once if it kept its own health.
    expect(await fresh('pair.localhost', 6, '/pair/')).toEqual(Array(6).fill(200));
    const downs = await waitFor(async () => (await healthEvents('pair.localhost')).filter((e) => e.target.endsWith(`:${dead}`)), {
      what: 'the refusing target announced down',
    });
    expect(downs.map((e) => e.healthy)).toEqual([false]);
    const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {routes: {host: string; targets: {target: string; healthy: boolean}[]}[]};
    expect(ls.routes.find((r) => r.host === 'pair.localhost')?.targets.find((x) => x.target.endsWith(`:${dead}`))).toMatchObject({healthy: false});
  });

  it('probes from the daemon alone, also a route only a worker serves', async () => {
    const sick = await probed(503);
    const well = await probed(200);
    try {
      expect((await cli(['add', 'probed.localhost', String(well.port), String(sick.port), '--health', '/healthz'], {env: t.env})).code).toBe(0);
      // One HTTP/2 connection that landed on the worker: only the worker serves this route's requests.
      let session: http2.ClientHttp2Session | undefined;
      for (let c = 0; c < 2 && !session; c++) {
        const s = http2.connect(`https://127.0.0.1:${port}`, {ca, servername: 'probed.localhost'});
        await h2get(s, 'probed.localhost', `/which/${c}`);
        const event = await waitFor(async () => (await events()).find((e) => e.path === `/which/${c}`), {what: 'the request logged'});
        if (event.worker === 1) session = s;
        else s.close();
      }
      expect(session, 'a connection on the worker').toBeDefined();
      // The daemon learns the route is in use and probes it: the sick target is announced down, once.
      const downs = await waitFor(async () => (await healthEvents('probed.localhost')).filter((e) => !e.healthy), {what: 'the probe verdict'});
      expect(downs).toHaveLength(1);
      expect(downs[0]!.target.endsWith(`:${sick.port}`)).toBe(true);
      // The worker follows the verdict: its requests go to the well target only.
      for (let i = 0; i < 4; i++) expect(await h2get(session!, 'probed.localhost', `/followed/${i}`)).toBe(`probed /followed/${i}`);
      session!.close();
      const followed = await waitFor(
        async () => {
          const served = (await events()).filter((e) => e.path.startsWith('/followed/'));
          return served.length === 4 ? served : undefined;
        },
        {what: 'the four requests logged'},
      );
      expect(followed.every((e) => e.worker === 1 && e.target?.endsWith(`:${well.port}`))).toBe(true);
      expect(await healthEvents('probed.localhost')).toHaveLength(1);
    } finally {
      sick.close();
      well.close();
    }
  });

  it('relays 103 Early Hints from a route the daemon owns', async () => {
    const hinting = http.createServer((_req, res) => {
      res.writeEarlyHints({link: '</style.css>; rel=preload; as=style'});
      res.end('hinted');
    });
    await new Promise<void>((r) => hinting.listen(0, '127.0.0.1', r));
    try {
      const hintPort = (hinting.address() as {port: number}).port;
      expect((await cli(['add', 'hints.localhost', String(hintPort), '--rate-limit', '100/s'], {env: t.env})).code).toBe(0);
      // Two connections: one lands on the worker, which relays its request to the daemon.
      for (let c = 0; c < 2; c++) {
        const session = http2.connect(`https://127.0.0.1:${port}`, {ca, servername: 'hints.localhost'});
        const hints: string[] = [];
        const stream = session.request({':path': `/hint/${c}`, ':authority': 'hints.localhost'});
        stream.on('headers', (h) => {
          if (h[':status'] === 103) hints.push(String(h.link));
        });
        stream.setEncoding('utf8');
        let body = '';
        stream.on('data', (d: string) => (body += d));
        await new Promise((r) => stream.on('end', r));
        session.close();
        expect({hints, body}).toEqual({hints: ['</style.css>; rel=preload; as=style'], body: 'hinted'});
      }
    } finally {
      hinting.close();
    }
  });

  it('replaces a worker that dies, and stops the workers with the daemon', async () => {
    const [first] = workerPids();
    process.kill(first!, 'SIGKILL');
    const next = await waitFor(() => workerPids().find((pid) => pid !== first && running(pid)), {what: 'a new worker process'});
    await waitFor(() => readFileSync(path.join(t.home, 'daemon.log'), 'utf8').includes(`serving (pid ${next})`), {what: 'the new worker serving'});
    expect(await fresh('api.localhost', 6, '/after/')).toEqual(Array(6).fill(200));
    expect((await events()).filter((e) => e.path.startsWith('/after/') && e.worker === 1)).toHaveLength(3);
    expect((await cli(['down'], {env: t.env})).code).toBe(0);
    await waitFor(() => !running(next), {what: 'the worker to exit with the daemon'});
    expect(() => readFileSync(path.join(t.home, 'relay.sock'))).toThrow();
  });
});
