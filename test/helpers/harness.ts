import http from 'node:http';
import https from 'node:https';
import {mkdtempSync, rmSync} from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach} from 'vitest';
import {ensureCA} from '../../src/certs/ca.js';
import {createCertProvider} from '../../src/certs/provider.js';
import {CacheRegistry} from '../../src/frontdoor/cache-registry.js';
import {frontDoorFeatures} from '../../src/frontdoor/index.js';
import {startProxy, type ProxyOptions, type RunningProxy} from '../../src/proxy/index.js';
import type {Route, Strategy} from '../../src/routes/types.js';
import {statePaths} from '../../src/state/home.js';

export interface Harness {
  proxy: RunningProxy;
  ca: string;
  dir: string;
  close(): Promise<void>;
}

/**
 * A real proxy on 127.0.0.1:0 / [::1] with a fresh CA in a temp dir. Like the daemon, it gets the front
 * door built for it (its own cache registry) unless the test hands in its own `features`.
 */
export async function startHarness(routes: Route[], options: Omit<ProxyOptions, 'port' | 'certs' | 'routes'> = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-it-'));
  const paths = statePaths(path.join(dir, 'home'));
  const ca = await ensureCA(paths);
  const features = options.features ?? frontDoorFeatures({registry: new CacheRegistry()});
  const proxy = await startProxy({port: 0, certs: createCertProvider(ca, {certsDir: paths.certsDir}), routes, ...options, features});
  return {
    proxy,
    ca: ca.certPem,
    dir,
    async close() {
      await proxy.close(200);
      rmSync(dir, {recursive: true, force: true});
    },
  };
}

/**
 * A proxy suite's per-test resources: the proxies, backends and anything else a test starts are
 * closed after that test, the last started first and the proxies last. Call once at a file's top level.
 */
export function proxyKit(): {
  start: typeof startHarness;
  backend: (handler?: Parameters<typeof startBackend>[1]) => Promise<Backend>;
  closeAfter: (close: () => unknown) => void;
} {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!();
  });
  return {
    async start(routes, options) {
      const h = await startHarness(routes, options);
      closers.unshift(() => h.close());
      return h;
    },
    async backend(handler) {
      const b = await startBackend('b', handler);
      closers.push(() => b.close());
      return b;
    },
    closeAfter: (close) => void closers.push(close),
  };
}

export function route(
  host: string,
  targets: Array<number | string>,
  options: {path?: string; strategy?: Strategy; stripPrefix?: boolean; health?: string} = {},
): Route {
  return {
    host,
    path: options.path ?? '/',
    targets: targets.map((t) => ({url: typeof t === 'number' ? `http://localhost:${t}` : t})),
    strategy: options.strategy ?? 'round-robin',
    stripPrefix: options.stripPrefix ?? false,
    ...(options.health ? {health: options.health} : {}),
  };
}

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A request through the proxy over TLS verified against the harness CA. */
export function request(
  h: Harness,
  host: string,
  urlPath: string,
  options: {method?: string; body?: string | Buffer; headers?: http.OutgoingHttpHeaders; agent?: https.Agent} = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: h.proxy.port,
        path: urlPath,
        method: options.method ?? 'GET',
        servername: host.replace(/:\d+$/, ''),
        ca: h.ca,
        headers: {host, ...options.headers},
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers}));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface Backend {
  port: number;
  name: string;
  hits: number;
  bodies: string[];
  server: http.Server;
  close(): Promise<void>;
  /** Listen again on the same port (after close). */
  restart(): Promise<void>;
}

/** A backend on 127.0.0.1 answering `<name>`; `handler` may take over. */
export async function startBackend(
  name: string,
  handler?: (req: http.IncomingMessage, res: http.ServerResponse, b: Backend) => void,
  port = 0,
): Promise<Backend> {
  const b = {name, hits: 0, bodies: [] as string[]} as Backend;
  const make = () =>
    http.createServer((req, res) => {
      b.hits++;
      if (handler) return handler(req, res, b);
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        if (body) b.bodies.push(body);
        res.end(name);
      });
    });
  const listen = async (p: number) => {
    b.server = make();
    await new Promise<void>((r) => b.server.listen(p, '127.0.0.1', r));
    b.port = (b.server.address() as net.AddressInfo).port;
  };
  await listen(port);
  b.close = () =>
    new Promise<void>((r) => {
      b.server.closeAllConnections();
      b.server.close(() => r());
    });
  b.restart = () => listen(b.port);
  return b;
}
