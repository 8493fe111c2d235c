import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {gunzipSync} from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {renderCaddyfile} from '../../../src/export/caddy.js';
import {emptyBackendMap, parseBackend, planRoutes} from '../../../src/export/mapping.js';
import {renderNginx} from '../../../src/export/nginx.js';
import type {RenderOptions} from '../../../src/export/types.js';
import type {Route, RouteOptions} from '../../../src/routes/types.js';
import {freePort} from '../../helpers/daemon.js';
import {CADDY, NGINX, missingEngines, startCaddy, startNginx, waitForEngine, type Engine} from './export-engines.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, host: string, urlPath: string, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({host: '127.0.0.1', port, path: urlPath, headers: {host, ...headers}, agent: false}, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks)}));
    });
    req.on('error', reject);
  });
}

function route(host: string, port: number, options: RouteOptions): Route {
  return {host, path: '/', targets: [{url: `http://127.0.0.1:${port}`}], strategy: 'round-robin', stripPrefix: false, options};
}

const missing = missingEngines();

/**
 * The per-route options each engine can express, checked on the real engine: header rules both
 * ways, compression, the response-header timeout, and (nginx) rate limit and cache.
 */
describe.skipIf(missing.length > 0)('exported per-route options on real Caddy and nginx', () => {
  let backend: http.Server;
  let backendPort: number;
  let hits = 0;
  let dir: string;
  const engines: Record<string, Engine> = {};

  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      hits++;
      if (req.url === '/hang') return; // never answers: only the proxy's timeout ends it
      res.setHeader('x-powered-by', 'node');
      res.setHeader('x-frame-options', 'SAMEORIGIN');
      res.setHeader('content-type', 'text/plain');
      if (req.url === '/cached') res.setHeader('cache-control', 'public, max-age=600');
      res.end(req.url === '/big' ? 'portico '.repeat(2000) : JSON.stringify({headers: req.headers, hits}));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendPort = (backend.address() as net.AddressInfo).port;
    dir = mkdtempSync(path.join(os.tmpdir(), 'portico-export-opts-'));
    const options: RouteOptions = {
      timeout: 500,
      compress: true,
      requestHeaders: [{name: 'x-env', value: 'production'}, {name: 'x-debug'}],
      responseHeaders: [{name: 'x-frame-options', value: 'DENY'}, {name: 'x-powered-by'}],
    };
    const routes = [
      route('web.localhost', backendPort, options),
      route('limited.localhost', backendPort, {rateLimit: {perSecond: 1 / 60, burst: 1}}),
      route('cached.localhost', backendPort, {cache: {maxBytes: 1_000_000}}),
    ];
    const backends = emptyBackendMap();
    parseBackend(`web.localhost=http://127.0.0.1:${backendPort}`, backends);
    const planned = planRoutes(routes, 'example.test', backends);
    for (const kind of ['caddy', 'nginx'] as const) {
      const engineDir = path.join(dir, kind);
      mkdirSync(engineDir);
      const port = await freePort();
      const render: RenderOptions = {listen: {host: '127.0.0.1', port}, selectorLabel: 'app.kubernetes.io/name', gateway: 'gateway'};
      // Caddy has no cache or rate limit without plugins: those routes get a comment, tested elsewhere.
      let text = (kind === 'caddy' ? renderCaddyfile : renderNginx)(planned, render).text;
      text = text.replaceAll('/var/cache/nginx-', `${engineDir}/cache-`);
      const file = path.join(engineDir, 'portico.conf');
      writeFileSync(file, text);
      engines[kind] = (kind === 'caddy' ? startCaddy : startNginx)(engineDir, file, port);
    }
    for (const engine of Object.values(engines)) await waitForEngine(engine, 'web.example.test');
  });

  afterAll(async () => {
    for (const engine of Object.values(engines)) await engine.stop();
    backend?.closeAllConnections();
    await new Promise((r) => backend?.close(r));
    if (dir) rmSync(dir, {recursive: true, force: true});
  });

  for (const kind of ['caddy', 'nginx']) {
    it(`${kind}: sets and removes request headers before the backend sees them`, async () => {
      const reply = await get(engines[kind]!.port, 'web.example.test', '/', {'x-debug': '1'});
      const {headers} = JSON.parse(reply.body.toString()) as {headers: Record<string, string>};
      expect(headers['x-env']).toBe('production');
      expect(headers['x-debug']).toBeUndefined();
      expect(headers.host).toBe('web.example.test');
    });

    it(`${kind}: replaces and removes response headers`, async () => {
      const reply = await get(engines[kind]!.port, 'web.example.test', '/');
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['x-powered-by']).toBeUndefined();
    });

    it(`${kind}: compresses for a client that accepts gzip`, async () => {
      const reply = await get(engines[kind]!.port, 'web.example.test', '/big', {'accept-encoding': 'gzip'});
      expect(reply.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(reply.body).toString()).toBe('portico '.repeat(2000));
    });

    it(`${kind}: gives up on a backend that sends no response headers within the route timeout`, async () => {
      const reply = await get(engines[kind]!.port, 'web.example.test', '/hang');
      expect([502, 504]).toContain(reply.status);
    });
  }

  it('nginx: answers 429 once a client is over the route rate limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(engines.nginx!.port, 'limited.example.test', '/')).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('nginx: serves a cacheable response from its cache the second time', async () => {
    const first = await get(engines.nginx!.port, 'cached.example.test', '/cached');
    const second = await get(engines.nginx!.port, 'cached.example.test', '/cached');
    expect(second.body.toString()).toBe(first.body.toString());
  });
});

/** Caddy 2.7 and later weigh round-robin upstreams (`lb_policy weighted_round_robin`). */
function caddyHasWeightedRoundRobin(env: NodeJS.ProcessEnv): boolean {
  return execFileSync(CADDY, ['list-modules'], {env, encoding: 'utf8'}).includes('http.reverse_proxy.selection_policies.weighted_round_robin');
}

/** Every strategy, health checks, TLS and https backends, as each engine's own config checker reads them. */
describe.skipIf(missing.length > 0)('exported configs that caddy validate and nginx -t accept', () => {
  const strategies = ['round-robin', 'least-conn', 'random', 'first', 'sticky'] as const;
  const routes: Route[] = strategies.map((strategy) => ({
    host: `${strategy}.localhost`,
    path: '/app',
    // Weighted, with one drained instance: nginx `weight=`/`down`, Caddy weighted_round_robin.
    targets: [{url: 'http://127.0.0.1:1', weight: 3}, {url: 'http://127.0.0.1:2'}, {url: 'http://127.0.0.1:3', weight: 0}],
    strategy,
    health: '/healthz',
    stripPrefix: strategy === 'first',
    options: {timeout: 1500, compress: true, rateLimit: {perSecond: 10, burst: 20}},
  }));
  routes.push({host: 'secure.localhost', path: '/', targets: [{url: 'https://127.0.0.1:8443'}], strategy: 'round-robin', stripPrefix: false});
  // Gated routes: basic writes auth_basic / basicauth (with a locked placeholder hash), token nothing.
  routes.push({
    host: 'admin.localhost',
    path: '/admin',
    targets: [{url: 'http://127.0.0.1:4'}],
    strategy: 'round-robin',
    stripPrefix: false,
    options: {auth: {kind: 'basic', user: 'admin', hash: 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'}},
  });
  routes.push({
    host: 'preview.localhost',
    path: '/',
    targets: [{url: 'http://127.0.0.1:5'}],
    strategy: 'round-robin',
    stripPrefix: false,
    options: {auth: {kind: 'token', hash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'}},
  });
  const planned = planRoutes(routes, 'example.test', emptyBackendMap());
  const render: RenderOptions = {listen: {host: '127.0.0.1', port: 8080}, selectorLabel: 'app.kubernetes.io/name', gateway: 'gateway'};

  it('caddy validate accepts the Caddyfile', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-export-caddy-'));
    try {
      writeFileSync(path.join(dir, 'portico.Caddyfile'), renderCaddyfile(planned, render).text);
      writeFileSync(path.join(dir, 'Caddyfile'), `{\n\tadmin off\n\tauto_https off\n}\n\nimport ${path.join(dir, 'portico.Caddyfile')}\n`);
      const env = {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config')};
      const validate = (): string => {
        try {
          execFileSync(CADDY, ['validate', '--config', path.join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {env, stdio: 'pipe'});
          return '';
        } catch (error) {
          return String((error as {stderr?: Buffer}).stderr ?? error);
        }
      };
      const complaint = validate();
      if (caddyHasWeightedRoundRobin(env)) {
        expect(complaint).toBe('');
      } else {
        // Caddy before 2.7 (Debian 12 ships 2.6) has no weighted_round_robin: that must be its only complaint.
        expect(complaint).toMatch(/module not registered: http\.reverse_proxy\.selection_policies\.weighted_round_robin/);
        writeFileSync(
          path.join(dir, 'portico.Caddyfile'),
          renderCaddyfile(planned, render).text.replace(/lb_policy weighted_round_robin [\d ]+/g, 'lb_policy round_robin'),
        );
        expect(validate()).toBe('');
      }
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('nginx -t accepts the config in the http context', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-export-nginx-'));
    try {
      writeFileSync(path.join(dir, 'portico.conf'), renderNginx(planned, render).text);
      // Temp paths in the temp dir: nginx creates them even for -t, and /var/lib/nginx may not be writable.
      const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${dir}/${t};`);
      const main = ['worker_processes 1;', `pid ${dir}/nginx.pid;`, 'events {}', 'http {', ...temps, `    include ${dir}/portico.conf;`, '}', ''].join('\n');
      writeFileSync(path.join(dir, 'nginx.conf'), main);
      execFileSync(NGINX, ['-t', '-q', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], {stdio: 'pipe'});
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
