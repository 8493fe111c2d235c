import {mkdirSync, readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import WebSocket, {WebSocketServer} from 'ws';
import {BIN, ROOT, cli, daemonPort, tempHome} from '../../helpers/cli.js';
import {harValidator} from '../../helpers/har.js';
import {waitFor} from '../../helpers/wait.js';
import {wsOptions} from '../../helpers/ws.js';

interface ToolAnswer {
  isError?: boolean;
  text: string;
}

/** An agent: the SDK's own client, spawning the built CLI over stdio. */
async function agent(
  env: NodeJS.ProcessEnv,
  flags: string[] = [],
): Promise<{
  call: (name: string, args?: Record<string, unknown>) => Promise<ToolAnswer>;
  json: <T>(name: string, args?: Record<string, unknown>) => Promise<T>;
  client: Client;
  close: () => Promise<void>;
}> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...flags],
    env: env as Record<string, string>,
    cwd: ROOT,
    stderr: 'pipe',
  });
  const client = new Client({name: 'portico-test', version: '1.0.0'});
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> => {
    const result = (await client.callTool({name, arguments: args})) as {isError?: boolean; content: Array<{type: string; text: string}>};
    return {isError: result.isError, text: result.content.map((c) => c.text).join('\n')};
  };
  const json = async <T>(name: string, args: Record<string, unknown> = {}): Promise<T> => {
    const answer = await call(name, args);
    if (answer.isError) throw new Error(`${name} failed: ${answer.text}`);
    return JSON.parse(answer.text) as T;
  };
  return {call, json, client, close: () => client.close()};
}

/** A request through portico with the headers a browser of a logged-in user would send. */
function send(
  port: number,
  host: string,
  method: string,
  urlPath: string,
  home: string,
  body?: string,
): Promise<{status: number; body: string; headers: http.IncomingHttpHeaders}> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {
      host: `${host}:${port}`,
      authorization: 'Bearer sk-secret-token',
      cookie: 'session=abc123',
      ...(body ? {'content-type': 'application/json'} : {}),
    };
    const req = https.request(
      {host: '127.0.0.1', port, method, path: urlPath, servername: host, headers, ca: readFileSync(path.join(home, 'ca.pem')), agent: false},
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: text, headers: res.headers}));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Listed {
  id: number;
  status: number;
  method: string;
  path: string;
  captured?: boolean;
}

/** A temp PORTICO_HOME and a temp HOME (doctor reads the browsers' trust stores under HOME). */
function home(): ReturnType<typeof tempHome> {
  const made = tempHome();
  const user = path.join(path.dirname(made.home), 'user');
  mkdirSync(user);
  made.env.HOME = user;
  return made;
}

let t: ReturnType<typeof tempHome>;
let app: http.Server;
let appPort: number;
let port: number;

beforeAll(async () => {
  t = home();
  // The backend: a shop API whose orders endpoint fails, the way a dev server does.
  app = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      if (req.url === '/orders') {
        res.writeHead(500, {'content-type': 'application/json', 'set-cookie': 'session=rotated; HttpOnly'});
        res.end(JSON.stringify({error: 'database is down', got: JSON.parse(body || '{}')}));
      } else res.end(JSON.stringify({ok: true, path: req.url}));
    });
  });
  // And a live feed that echoes what it is sent.
  new WebSocketServer({server: app, path: '/live'}).on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${String(data)}`)));
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appPort = (app.address() as {port: number}).port;
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', 'shop.localhost', String(appPort)], {env: t.env});
  port = await daemonPort(t.env);
});

afterAll(async () => {
  await t.cleanup();
  app.closeAllConnections();
  await new Promise((r) => app.close(r));
});

describe('portico mcp, driven by an agent over stdio', () => {
  it('lists routes, finds a failing request by status and fetches it as JSON, curl and HAR, with secrets redacted', async () => {
    const a = await agent(t.env);
    try {
      const tools = await a.client.listTools();
      expect(tools.tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['list_routes', 'list_traffic', 'get_exchange', 'open_route', 'doctor', 'add_route']),
      );

      const routes = await a.json<{routes: Array<{host: string; url: string; targets: Array<{target: string; healthy: boolean}>}>}>('list_routes');
      expect(routes.routes).toEqual([expect.objectContaining({host: 'shop.localhost', url: `https://shop.localhost:${port}/`})]);
      expect(routes.routes[0]!.targets[0]!.target).toBe(`http://localhost:${appPort}`);

      // Nobody has a dashboard open: the agent being connected is what turns capture on.
      expect((await send(port, 'shop.localhost', 'GET', '/products', t.home)).status).toBe(200);
      expect((await send(port, 'shop.localhost', 'POST', '/orders', t.home, JSON.stringify({item: 'teapot', qty: 2}))).status).toBe(500);

      const failing = await waitFor(
        async () => {
          const list = await a.json<{requests: Listed[]}>('list_traffic', {status: '5xx'});
          return list.requests.length > 0 ? list.requests : undefined;
        },
        {what: 'the failed POST /orders in list_traffic'},
      );
      expect(failing).toEqual([expect.objectContaining({method: 'POST', path: '/orders', status: 500, captured: true})]);
      expect((await a.json<{requests: Listed[]}>('list_traffic', {status: 500, method: 'GET'})).requests).toEqual([]);
      expect((await a.json<{requests: Listed[]}>('list_traffic', {path: '/prod', since: '10m'})).requests.map((r) => r.path)).toEqual(['/products']);

      const id = failing[0]!.id;
      const exchange = await a.json<{
        request: {headers: Record<string, string>; body: {text: string}};
        response: {headers: Record<string, string>; body: {text: string}};
        timingMs: {firstByte?: number};
        attempts: unknown[];
      }>('get_exchange', {id});
      expect(JSON.parse(exchange.request.body.text)).toEqual({item: 'teapot', qty: 2});
      expect(JSON.parse(exchange.response.body.text)).toEqual({error: 'database is down', got: {item: 'teapot', qty: 2}});
      expect(exchange.request.headers.authorization).toBe('[redacted]');
      expect(exchange.request.headers.cookie).toBe('[redacted]');
      expect(exchange.response.headers['set-cookie']).toEqual(['[redacted]']);
      expect(exchange.request.headers['content-type']).toBe('application/json');
      expect(exchange.timingMs.firstByte).toBeGreaterThanOrEqual(0);
      expect(exchange.attempts).toHaveLength(1);

      const curl = await a.call('get_exchange', {id, format: 'curl'});
      expect(curl.text).toContain(`-X POST https://shop.localhost:${port}/orders`);
      expect(curl.text).toContain(`--data-binary '{"item":"teapot","qty":2}'`);
      expect(curl.text).not.toContain('sk-secret-token');

      const har = await a.json<{
        log: {entries: Array<{request: {headers: Array<{name: string; value: string}>}; response: {status: number; content: {text: string}}}>};
      }>('get_exchange', {id, format: 'har'});
      const valid = harValidator()(har);
      expect(valid.valid, valid.errors).toBe(true);
      expect(har.log.entries).toHaveLength(1);
      expect(har.log.entries[0]!.response.status).toBe(500);
      expect(har.log.entries[0]!.response.content.text).toContain('database is down');
      expect(har.log.entries[0]!.request.headers).toContainEqual({name: 'authorization', value: '[redacted]'});

      const open = await a.json<{ca: string; node: string; routes: Array<{url: string; curl: string}>}>('open_route', {
        route: `https://shop.localhost:${port}/cart`,
      });
      expect(open.node).toBe(`export NODE_EXTRA_CA_CERTS=${path.join(t.home, 'ca.pem')}`);
      expect(open.routes).toEqual([expect.objectContaining({url: `https://shop.localhost:${port}/`})]);

      const missing = await a.call('get_exchange', {id: 99_999});
      expect(missing.isError).toBe(true);
      expect(missing.text).toMatch(/No request 99999/);

      // Read-only by default: a write is refused with what the user must change, and nothing changes.
      const refused = await a.call('add_route', {route: 'admin.localhost', targets: [String(appPort)]});
      expect(refused.isError).toBe(true);
      expect(refused.text).toBe('add_route changes portico, and this server is read-only: the user must start it as `portico mcp --allow-write`.');
      expect((await a.json<{routes: unknown[]}>('list_routes')).routes).toHaveLength(1);
    } finally {
      await a.close();
    }
  });

  it('with --allow-write adds a route, injects failures on it for a test run, turns them off, replays and removes it', async () => {
    const a = await agent(t.env, ['--allow-write', '--with-secrets']);
    try {
      const added = await a.json<{url: string; created: boolean}>('add_route', {route: 'admin.localhost', targets: [String(appPort)]});
      expect(added).toEqual(expect.objectContaining({created: true, url: `https://admin.localhost:${port}/`}));
      expect((await send(port, 'admin.localhost', 'GET', '/users', t.home)).status).toBe(200);

      const failing = await a.json<{options: string[]}>('set_route_options', {route: 'admin.localhost', fail: '100%:503', delay: '1ms'});
      expect(failing.options).toEqual(['delay 1ms', 'fail 100%:503']);
      const injected = await send(port, 'admin.localhost', 'GET', '/users', t.home);
      expect(injected.status).toBe(503);
      expect(injected.headers['x-portico-fault']).toBe('fail');

      const off = await a.json<{options: string[]}>('set_route_options', {route: 'admin.localhost', off: ['fail']});
      expect(off.options).toEqual(['delay 1ms']);
      expect((await send(port, 'admin.localhost', 'GET', '/users', t.home)).status).toBe(200);

      // --with-secrets: the captured credentials come back as they were sent.
      const list = await waitFor(
        async () => (await a.json<{requests: Listed[]}>('list_traffic', {host: 'admin', status: 200})).requests.find((r) => r.captured),
        {what: 'a captured 200 from admin.localhost'},
      );
      const exchange = await a.json<{request: {headers: Record<string, string>}}>('get_exchange', {id: list.id});
      expect(exchange.request.headers.authorization).toBe('Bearer sk-secret-token');

      const replayed = await a.json<{of: number; status: number}>('replay_request', {id: list.id});
      expect(replayed).toEqual(expect.objectContaining({of: list.id, status: 200}));

      expect(await a.json<{cleared: unknown[]}>('clear_cache', {})).toEqual({cleared: []});
      // use_copy speaks the daemon's sentence (copies themselves are tested in test/browser/copies.test.ts).
      const noCopy = await a.call('use_copy', {copy: 'fix-login'});
      expect(noCopy.isError).toBe(true);
      expect(noCopy.text).toMatch(/^No app has copies yet: `portico run` in a second worktree or clone of an app makes one\./);

      const removed = await a.json<{removed: {host: string}}>('remove_route', {route: 'admin.localhost'});
      expect(removed.removed.host).toBe('admin.localhost');
      expect((await a.json<{routes: Array<{host: string}>}>('list_routes')).routes.map((r) => r.host)).toEqual(['shop.localhost']);

      const bad = await a.call('set_route_options', {route: 'shop.localhost', fail: 'lots'});
      expect(bad.isError).toBe(true);
      expect(bad.text).toBe('Invalid fail `lots`: expected a share like 10% or 10%:503 (a 4xx or 5xx status).');
    } finally {
      await a.close();
    }
  });

  it('starts the daemon when none runs, as other commands do, and runs doctor', async () => {
    const fresh = home();
    const a = await agent({...fresh.env, PORTICO_PORT: '0'});
    try {
      const routes = await a.json<{daemon: {pid: number; port: number}; routes: unknown[]}>('list_routes');
      expect(routes.routes).toEqual([]);
      expect(routes.daemon.port).toBe(await daemonPort(fresh.env));
      const doctor = await a.json<{checks: Array<{name: string; status: string; detail: string}>}>('doctor');
      expect(doctor.checks).toContainEqual(
        expect.objectContaining({name: 'daemon', status: 'ok', detail: expect.stringContaining(`pid ${routes.daemon.pid}`)}),
      );
    } finally {
      await a.close();
      await fresh.cleanup();
    }
  });

  it("shows a WebSocket session's messages", async () => {
    const a = await agent(t.env);
    try {
      const socket = new WebSocket(`wss://127.0.0.1:${port}/live`, wsOptions(`shop.localhost:${port}`, readFileSync(path.join(t.home, 'ca.pem'))));
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const echoed = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
      socket.send('hello feed');
      expect(await echoed).toBe('echo hello feed');
      await new Promise((resolve) => (socket.once('close', resolve), socket.close()));

      // The session's event comes when it ends.
      const session = await waitFor(async () => (await a.json<{requests: Listed[]}>('list_traffic', {protocol: 'ws'})).requests[0], {
        what: 'the WebSocket session in list_traffic',
      });
      const exchange = await a.json<{status: number; websocket: {messages: Array<{from: string; frames: string[]}>}}>('get_exchange', {id: session.id});
      expect(exchange.status).toBe(101);
      expect(exchange.websocket.messages).toEqual(
        expect.arrayContaining([
          expect.objectContaining({from: 'client', frames: expect.arrayContaining(['text 10 B "hello feed"'])}),
          expect.objectContaining({from: 'backend', frames: expect.arrayContaining(['text 15 B "echo hello feed"'])}),
        ]),
      );
    } finally {
      await a.close();
    }
  });
});
