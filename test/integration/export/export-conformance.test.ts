import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import WebSocket, {WebSocketServer} from 'ws';
import {cli, daemonPort, tempHome} from '../../helpers/cli.js';
import {freePort} from '../../helpers/daemon.js';
import {TIMEOUT} from '../../helpers/wait.js';
import {CADDY, missingEngines, startCaddy, startNginx, waitForEngine, type Engine} from './export-engines.js';

/** What a backend saw: which instance answered, and the path (with query) it was sent. */
interface Seen {
  instance: string;
  path: string;
}

interface EchoServer {
  name: string;
  port: number;
  close: () => Promise<void>;
}

/** A backend on 127.0.0.1:0 that answers every request and WebSocket with its name and the path it saw. */
async function echoServer(name: string): Promise<EchoServer> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({instance: name, path: req.url}));
  });
  const wss = new WebSocketServer({noServer: true});
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => ws.send(JSON.stringify({instance: name, path: req.url})));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    name,
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** How to reach one proxy: portico over TLS with its CA, or an engine over plain HTTP. */
interface Via {
  name: string;
  port: number;
  /** The Host a request for a portico name carries on this proxy: `app.localhost` or `app.example.test`. */
  host: (local: string) => string;
  ca?: Buffer;
}

function httpGet(via: Via, host: string, urlPath: string): Promise<{status: number; seen?: Seen}> {
  return new Promise((resolve, reject) => {
    const options = {host: '127.0.0.1', port: via.port, path: urlPath, headers: {host: via.host(host)}, agent: false as const};
    const onResponse = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        let seen: Seen | undefined;
        try {
          seen = JSON.parse(body) as Seen;
        } catch {
          seen = undefined;
        }
        resolve({status: res.statusCode ?? 0, ...(seen?.instance ? {seen} : {})});
      });
    };
    const req = via.ca ? https.request({...options, servername: via.host(host), ca: via.ca}, onResponse) : http.request(options, onResponse);
    req.on('error', reject);
    req.end();
  });
}

function wsGet(via: Via, host: string, urlPath: string): Promise<Seen> {
  const url = `${via.ca ? 'wss' : 'ws'}://127.0.0.1:${via.port}${urlPath}`;
  const ws = new WebSocket(url, {headers: {host: via.host(host)}, ...(via.ca ? {ca: via.ca, servername: via.host(host)} : {})});
  return new Promise((resolve, reject) => {
    ws.once('message', (data: WebSocket.RawData) => {
      resolve(JSON.parse(data.toString()) as Seen);
      ws.close();
    });
    ws.once('error', reject);
  });
}

/** One row of the table: a request and what must answer it on every proxy. */
interface Case {
  what: string;
  host: string;
  path: string;
  kind: 'http' | 'ws' | 'balance' | 'down';
  /** Instance names allowed to answer (balance: all of them must, over four requests). */
  expect: string[];
  /** The path the backend must see. */
  expectPath: string;
}

const DOMAIN = 'example.test';
const missing = missingEngines();
if (missing.length > 0) console.warn(`export conformance skipped: ${missing.join(' and ')} not installed (Debian packages caddy and nginx-light).`);

describe.skipIf(missing.length > 0)('export conformance with real Caddy and nginx', () => {
  const servers: Record<string, EchoServer> = {};
  const engines: Engine[] = [];
  let t: ReturnType<typeof tempHome>;
  let dir: string;
  let project: string;
  let backends: string[] = [];
  const vias: Via[] = [];
  const table: string[][] = [];

  const cases: Case[] = [
    {what: 'host root', host: 'app.localhost', path: '/', kind: 'http', expect: ['web'], expectPath: '/'},
    {what: 'path and query under /', host: 'app.localhost', path: '/about?x=1', kind: 'http', expect: ['web'], expectPath: '/about?x=1'},
    {what: 'prefix itself', host: 'app.localhost', path: '/api', kind: 'http', expect: ['api-1', 'api-2'], expectPath: '/api'},
    {what: 'under a prefix', host: 'app.localhost', path: '/api/users/7', kind: 'http', expect: ['api-1', 'api-2'], expectPath: '/api/users/7'},
    {what: 'not a segment of the prefix', host: 'app.localhost', path: '/apix', kind: 'http', expect: ['web'], expectPath: '/apix'},
    {what: 'strip-prefix, prefix itself', host: 'app.localhost', path: '/docs', kind: 'http', expect: ['docs'], expectPath: '/'},
    {what: 'strip-prefix, below it', host: 'app.localhost', path: '/docs/guide/intro', kind: 'http', expect: ['docs'], expectPath: '/guide/intro'},
    {what: 'strip-prefix keeps the query', host: 'app.localhost', path: '/docs/?q=1', kind: 'http', expect: ['docs'], expectPath: '/?q=1'},
    {what: 'another host', host: 'shop.localhost', path: '/cart', kind: 'http', expect: ['shop'], expectPath: '/cart'},
    {what: 'bare localhost', host: 'localhost', path: '/', kind: 'http', expect: ['home'], expectPath: '/'},
    {what: 'WebSocket upgrade', host: 'app.localhost', path: '/live/feed', kind: 'ws', expect: ['live'], expectPath: '/live/feed'},
    {
      what: 'balancing over two instances (4 requests)',
      host: 'app.localhost',
      path: '/api/items',
      kind: 'balance',
      expect: ['api-1', 'api-2'],
      expectPath: '/api/items',
    },
    {what: 'one instance down (3 requests)', host: 'status.localhost', path: '/ping', kind: 'down', expect: ['status-up'], expectPath: '/ping'},
  ];

  beforeAll(async () => {
    for (const name of ['web', 'api-1', 'api-2', 'docs', 'shop', 'home', 'live', 'status-up']) servers[name] = await echoServer(name);
    const down = await freePort();
    const at = (name: string): string => `127.0.0.1:${servers[name]!.port}`;
    dir = mkdtempSync(path.join(os.tmpdir(), 'portico-export-'));
    project = path.join(dir, 'project');
    mkdirSync(project);
    const routes = {
      'app.localhost': at('web'),
      'app.localhost/api': {targets: [at('api-1'), at('api-2')]},
      'app.localhost/docs': {target: at('docs'), stripPrefix: true},
      'app.localhost/live': at('live'),
      'shop.localhost': at('shop'),
      localhost: at('home'),
      'status.localhost': {targets: [`127.0.0.1:${down}`, at('status-up')]},
    };
    writeFileSync(path.join(project, 'portico.json'), JSON.stringify({routes, deploy: {domain: DOMAIN}}, null, 2));

    t = tempHome();
    const up = await cli(['up', '--port', '0'], {env: t.env, cwd: project});
    expect(up.code, up.stderr).toBe(0);
    vias.push({name: 'portico', port: await daemonPort(t.env), host: (h) => h, ca: readFileSync(path.join(t.home, 'ca.pem'))});

    // Every route mapped with --backend to where it runs here: the mapping code path, same addresses.
    backends = Object.entries(routes).flatMap(([key, value]) => {
      const targets = typeof value === 'string' ? [value] : 'targets' in value ? value.targets : [value.target];
      return ['--backend', `${key}=${targets.map((x) => `http://${x}`).join(',')}`];
    });
    for (const [kind, start] of [
      ['caddy', startCaddy],
      ['nginx', startNginx],
    ] as const) {
      const engineDir = path.join(dir, kind);
      mkdirSync(engineDir);
      const port = await freePort();
      const file = path.join(engineDir, kind === 'caddy' ? 'portico.Caddyfile' : 'portico.conf');
      const exported = await cli(['export', kind, '--project', project, '--listen', `127.0.0.1:${port}`, '-o', file, ...backends], {env: t.env});
      expect(exported.code, exported.stderr).toBe(0);
      // Written as `caddy fmt` writes it: `caddy adapt` warns about anything else.
      if (kind === 'caddy') expect(execFileSync(CADDY, ['fmt', file], {encoding: 'utf8'})).toBe(readFileSync(file, 'utf8'));
      const engine = start(engineDir, file, port);
      engines.push(engine);
      await waitForEngine(engine, `app.${DOMAIN}`);
      vias.push({name: kind, port, host: (h) => (h === 'localhost' ? DOMAIN : h.replace(/\.localhost$/, `.${DOMAIN}`))});
    }
  });

  afterAll(async () => {
    if (table.length > 0) {
      const header = ['request', ...vias.map((v) => v.name)];
      const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
      const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
      console.log(['', line(header), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n'));
    }
    for (const engine of engines) await engine.stop();
    await t?.cleanup();
    for (const s of Object.values(servers)) await s.close();
    if (dir) rmSync(dir, {recursive: true, force: true});
  });

  /** Send one case through one proxy; returns the cell for the table. */
  async function run(c: Case, via: Via): Promise<string> {
    if (c.kind === 'ws') {
      const seen = await wsGet(via, c.host, c.path);
      expect(seen, `${c.what} via ${via.name}`).toEqual({instance: c.expect[0], path: c.expectPath});
      return `${seen.instance} ${seen.path} (ws)`;
    }
    const rounds = c.kind === 'balance' ? 4 : c.kind === 'down' ? 3 : 1;
    const seen: Seen[] = [];
    for (let i = 0; i < rounds; i++) {
      const reply = await httpGet(via, c.host, c.path);
      expect(reply.status, `${c.what} via ${via.name}`).toBe(200);
      seen.push(reply.seen!);
    }
    for (const s of seen) {
      expect(c.expect, `${c.what} via ${via.name}: answered by ${s.instance}`).toContain(s.instance);
      expect(s.path, `${c.what} via ${via.name}`).toBe(c.expectPath);
    }
    const instances = [...new Set(seen.map((s) => s.instance))].sort();
    if (c.kind === 'balance') expect(instances, `${c.what} via ${via.name}`).toEqual([...c.expect].sort());
    return `${instances.join(' + ')} ${seen[0]!.path}`;
  }

  it('routes every request of the table to the same backend and path through portico, Caddy and nginx', async () => {
    for (const c of cases) {
      const row = [`${c.what}: ${c.host}${c.path}`];
      for (const via of vias) row.push(await run(c, via));
      table.push(row);
    }
    expect(table).toHaveLength(cases.length);
  });

  it('serves the same table over TLS from Caddy and nginx with the certificate given by --tls-cert and --tls-key', async () => {
    const tlsDir = path.join(dir, 'tls');
    mkdirSync(tlsDir);
    const cert = path.join(tlsDir, 'cert.pem');
    const key = path.join(tlsDir, 'key.pem');
    const names = ['app', 'shop', 'status'].map((n) => `DNS:${n}.${DOMAIN}`).join(',');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        `/CN=app.${DOMAIN}`,
        '-addext',
        `subjectAltName=${names},DNS:${DOMAIN}`,
      ],
      {stdio: 'ignore'},
    );
    for (const [kind, start] of [
      ['caddy', startCaddy],
      ['nginx', startNginx],
    ] as const) {
      const engineDir = path.join(tlsDir, kind);
      mkdirSync(engineDir);
      const port = await freePort();
      const file = path.join(engineDir, 'portico.conf');
      const exported = await cli(
        ['export', kind, '--project', project, '--listen', `127.0.0.1:${port}`, '--tls-cert', cert, '--tls-key', key, '-o', file, ...backends],
        {env: t.env},
      );
      expect(exported.code, exported.stderr).toBe(0);
      const engine = start(engineDir, file, port);
      engines.push(engine);
      const via: Via = {name: `${kind}-tls`, port, host: (h) => (h === 'localhost' ? DOMAIN : h.replace(/\.localhost$/, `.${DOMAIN}`)), ca: readFileSync(cert)};
      const deadline = Date.now() + TIMEOUT.daemon;
      for (;;) {
        const reply = await httpGet(via, 'app.localhost', '/').catch(() => undefined);
        if (reply?.status === 200) break;
        if (engine.child.exitCode !== null || Date.now() > deadline) throw new Error(`${kind} with TLS did not answer:\n${engine.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const c of cases) await run(c, via);
    }
  });
});

/** Caddy 2.7 and later weigh round-robin upstreams (`lb_policy weighted_round_robin`); Debian 12 ships 2.6. */
function caddyWeighs(): boolean {
  return execFileSync(CADDY, ['list-modules'], {encoding: 'utf8', env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir()}}).includes(
    'selection_policies.weighted_round_robin',
  );
}

describe.skipIf(missing.length > 0)('a weighted route (3:1) through portico and the exported engines', () => {
  const servers: EchoServer[] = [];
  const engines: Engine[] = [];
  let t: ReturnType<typeof tempHome>;
  let dir: string;

  afterAll(async () => {
    for (const engine of engines) await engine.stop();
    await t?.cleanup();
    for (const s of servers) await s.close();
    if (dir) rmSync(dir, {recursive: true, force: true});
  });

  /** Eight requests one after another: which instance answered each. */
  async function eight(via: Via): Promise<string[]> {
    const answered: string[] = [];
    for (let i = 0; i < 8; i++) {
      const reply = await httpGet(via, 'weighted.localhost', `/w${i}`);
      expect(reply.status, `request ${i} via ${via.name}`).toBe(200);
      answered.push(reply.seen!.instance);
    }
    return answered;
  }

  it('sends 6 of 8 requests to the weight-3 instance and 2 to the other on portico, nginx and Caddy 2.7+', async () => {
    servers.push(await echoServer('heavy'), await echoServer('light'));
    const [heavy, light] = servers.map((s) => `127.0.0.1:${s.port}`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'portico-export-weights-'));
    const project = path.join(dir, 'project');
    mkdirSync(project);
    writeFileSync(
      path.join(project, 'portico.json'),
      JSON.stringify({routes: {'weighted.localhost': {targets: [{target: heavy, weight: 3}, light]}}, deploy: {domain: DOMAIN}}),
    );
    t = tempHome();
    expect((await cli(['up', '--port', '0'], {env: t.env, cwd: project})).code).toBe(0);
    const vias: Via[] = [{name: 'portico', port: await daemonPort(t.env), host: (h) => h, ca: readFileSync(path.join(t.home, 'ca.pem'))}];
    // Each target mapped on its own, so its weight goes with it.
    const backends = [heavy!, light!].flatMap((x) => ['--backend', `${x}=http://${x}`]);
    const kinds: Array<'nginx' | 'caddy'> = caddyWeighs() ? ['nginx', 'caddy'] : ['nginx'];
    for (const kind of kinds) {
      const engineDir = path.join(dir, kind);
      mkdirSync(engineDir);
      const port = await freePort();
      const file = path.join(engineDir, 'portico.conf');
      const exported = await cli(['export', kind, '--project', project, '--listen', `127.0.0.1:${port}`, '-o', file, ...backends], {env: t.env});
      expect(exported.code, exported.stderr).toBe(0);
      const engine = (kind === 'caddy' ? startCaddy : startNginx)(engineDir, file, port);
      engines.push(engine);
      await waitForEngine(engine, `weighted.${DOMAIN}`);
      vias.push({name: kind, port, host: (h) => h.replace(/\.localhost$/, `.${DOMAIN}`)});
    }
    const row = ['8 x weighted.localhost (9090=3 9091=1)'];
    for (const via of vias) {
      const answered = await eight(via);
      expect(
        answered.filter((a) => a === 'heavy'),
        via.name,
      ).toHaveLength(6);
      expect(
        answered.filter((a) => a === 'light'),
        via.name,
      ).toHaveLength(2);
      row.push(`${via.name}: heavy 6 + light 2`);
    }
    if (!kinds.includes('caddy')) row.push('caddy: not run (weighted_round_robin needs Caddy 2.7; this one is older)');
    console.log(row.join(' | '));
  });
});
