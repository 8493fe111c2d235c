import {execFile} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import {promisify} from 'node:util';
import {describe, expect, it} from 'vitest';
import WebSocket, {WebSocketServer} from 'ws';
import {EventHub} from '../../../src/daemon/hub.js';
import {CacheRegistry} from '../../../src/frontdoor/cache-registry.js';
import {hashPassword, hashToken, newToken} from '../../../src/frontdoor/auth-secret.js';
import {frontDoorFeatures} from '../../../src/frontdoor/index.js';
import type {RequestEvent} from '../../../src/traffic/event.js';
import {buildHar} from '../../../src/traffic/har.js';
import type {AuthOption, Route} from '../../../src/routes/types.js';
import {proxyKit, request, type Harness} from '../../helpers/harness.js';
import {waitFor} from '../../helpers/wait.js';
import {wsOptions} from '../../helpers/ws.js';

const kit = proxyKit();
const run = promisify(execFile);

/** What the backend saw: every request and WebSocket handshake, with its headers. */
interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  ws?: boolean;
}

async function loggingBackend(): Promise<{port: number; seen: Seen[]}> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({url: req.url ?? '', headers: req.headers});
    req.resume();
    res.end(`hello ${req.url}`);
  });
  const wss = new WebSocketServer({noServer: true});
  server.on('upgrade', (req, socket, head) => {
    seen.push({url: req.url ?? '', headers: req.headers, ws: true});
    wss.handleUpgrade(req, socket, head, (ws) => ws.send('welcome'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kit.closeAfter(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return {port: (server.address() as net.AddressInfo).port, seen};
}

function gated(host: string, port: number, auth: AuthOption): Route {
  return {host, path: '/', targets: [{url: `http://127.0.0.1:${port}`}], strategy: 'round-robin', stripPrefix: false, options: {auth}};
}

/** The real curl, TLS verified against the harness CA. */
async function curl(h: Harness, host: string, args: string[]): Promise<{status: number; headers: string; body: string}> {
  const ca = path.join(h.dir, 'ca.pem');
  writeFileSync(ca, h.ca);
  const {stdout} = await run('curl', [
    '-sS',
    '-i',
    '--cacert',
    ca,
    '--resolve',
    `${host}:${h.proxy.port}:127.0.0.1`,
    ...args,
    `https://${host}:${h.proxy.port}/private`,
  ]);
  const [head = '', ...rest] = stdout.split('\r\n\r\n');
  return {status: Number(/^HTTP\/\S+ (\d+)/.exec(head)?.[1]), headers: head, body: rest.join('\r\n\r\n')};
}

function openWs(h: Harness, host: string, headers: Record<string, string> = {}): Promise<{status?: number; message?: string}> {
  const ws = new WebSocket(`wss://127.0.0.1:${h.proxy.port}/live`, wsOptions(host, h.ca, {headers}));
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req: http.ClientRequest, res: http.IncomingMessage) => {
      resolve({status: res.statusCode});
      res.resume();
      ws.terminate();
    });
    ws.once('message', (data: WebSocket.RawData) => {
      resolve({message: data.toString()});
      ws.close();
    });
    ws.once('error', reject);
  });
}

describe('a route gated with --auth basic', () => {
  it('answers curl 401 with a Basic challenge without credentials, 200 with them, and the backend sees only the signed-in request, without Authorization', async () => {
    const b = await loggingBackend();
    const h = await kit.start([gated('admin.localhost', b.port, {kind: 'basic', user: 'admin', hash: await hashPassword('s3cret pass')})]);
    const none = await curl(h, 'admin.localhost', []);
    expect(none.status).toBe(401);
    expect(none.headers).toMatch(/www-authenticate: Basic realm="portico admin\.localhost", charset="UTF-8"/i);
    expect((await curl(h, 'admin.localhost', ['-u', 'admin:wrong'])).status).toBe(401);
    expect((await curl(h, 'admin.localhost', ['-u', 'root:s3cret pass'])).status).toBe(401);
    const ok = await curl(h, 'admin.localhost', ['-u', 'admin:s3cret pass']);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('hello /private');
    expect(b.seen.map((s) => s.url)).toEqual(['/private']);
    expect(b.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('refuses a WebSocket upgrade without credentials and accepts it with them; the backend sees one handshake', async () => {
    const b = await loggingBackend();
    const h = await kit.start([gated('admin.localhost', b.port, {kind: 'basic', user: 'admin', hash: await hashPassword('pw')})]);
    expect(await openWs(h, 'admin.localhost')).toEqual({status: 401});
    expect(await openWs(h, 'admin.localhost', {authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}`})).toEqual({status: 401});
    expect(await openWs(h, 'admin.localhost', {authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}`})).toEqual({message: 'welcome'});
    expect(b.seen.map((s) => [s.url, s.ws])).toEqual([['/live', true]]);
  });

  it('answers 429 after too many failed attempts from one client, even to the right password, until the window ends', async () => {
    const b = await loggingBackend();
    let now = 0;
    const features = frontDoorFeatures({registry: new CacheRegistry(), now: () => now, authFailures: 3, authWindowMs: 60_000});
    const h = await kit.start([gated('admin.localhost', b.port, {kind: 'basic', user: 'admin', hash: await hashPassword('pw')})], {features});
    const basic = (pw: string) => ({authorization: `Basic ${Buffer.from(`admin:${pw}`).toString('base64')}`});
    for (let i = 0; i < 3; i++) expect((await request(h, 'admin.localhost', '/', {headers: basic(`guess${i}`)})).status).toBe(401);
    const limited = await request(h, 'admin.localhost', '/', {headers: basic('pw')});
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    now = 60_000;
    expect((await request(h, 'admin.localhost', '/', {headers: basic('pw')})).status).toBe(200);
    expect(b.seen).toHaveLength(1);
  });
});

describe('a route gated with --auth token', () => {
  it('trades the token link for an HttpOnly, Secure, SameSite=Lax cookie and a clean URL; the backend never sees the token', async () => {
    const b = await loggingBackend();
    const token = newToken();
    const h = await kit.start([gated('preview.localhost', b.port, {kind: 'token', hash: hashToken(token)})]);
    const login = await request(h, 'preview.localhost', '/page?x=1');
    expect(login.status).toBe(401);
    expect(login.headers['content-type']).toMatch(/text\/html/);
    expect(login.body).toMatch(/name="portico_token"/);
    expect((await request(h, 'preview.localhost', '/page?portico_token=not-it')).status).toBe(401);

    const link = await request(h, 'preview.localhost', `/page?x=1&portico_token=${token}`);
    expect(link.status).toBe(303);
    expect(link.headers.location).toBe('/page?x=1');
    const cookie = String(link.headers['set-cookie']);
    expect(cookie).toMatch(/^portico_auth_[0-9a-f]{8}=[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Lax$/);
    const page = await request(h, 'preview.localhost', '/page?x=1', {headers: {cookie: `theme=dark; ${cookie.split(';')[0]}`}});
    expect(page).toMatchObject({status: 200, body: 'hello /page?x=1'});
    const bearer = await request(h, 'preview.localhost', '/api', {headers: {authorization: `Bearer ${token}`}});
    expect(bearer.status).toBe(200);
    expect(b.seen.map((s) => [s.url, s.headers.cookie, s.headers.authorization])).toEqual([
      ['/page?x=1', 'theme=dark', undefined],
      ['/api', undefined, undefined],
    ]);
  });

  it('keeps the credential out of the traffic view, the capture and the HAR', async () => {
    const b = await loggingBackend();
    const token = newToken();
    const hub = new EventHub(1000);
    const events: RequestEvent[] = [];
    kit.closeAfter(hub.subscribe({headers: true, capture: true, send: (e) => void (e.type === 'request' && events.push(e)), end: () => {}}));
    const h = await kit.start(
      [
        gated('preview.localhost', b.port, {kind: 'token', hash: hashToken(token)}),
        gated('admin.localhost', b.port, {kind: 'basic', user: 'admin', hash: await hashPassword('hunter22')}),
      ],
      {traffic: hub},
    );
    const link = await request(h, 'preview.localhost', `/a?portico_token=${token}`);
    const cookie = String(link.headers['set-cookie']).split(';')[0]!;
    await request(h, 'preview.localhost', '/b', {headers: {cookie}});
    await request(h, 'admin.localhost', '/c', {headers: {authorization: `Basic ${Buffer.from('admin:hunter22').toString('base64')}`}});
    await waitFor(() => events.length === 3, {what: 'three request events'});
    expect(events.map((e) => `${e.status} ${e.path}`)).toEqual(['303 /a?portico_token=[redacted]', '200 /b', '200 /c']);
    const captures = new Map(hub.captures.all().map((c) => [c.id, c]));
    expect(captures.size).toBe(3);
    const everything = JSON.stringify({events, captures: [...captures.values()], har: buildHar(events, captures, 'test')});
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(Buffer.from('admin:hunter22').toString('base64'));
    expect(everything).not.toContain('hunter22');
  });
});
