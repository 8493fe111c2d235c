import {readFileSync, unlinkSync} from 'node:fs';
import {envTimeout} from '../routes/duration.js';
import path from 'node:path';
import type http from 'node:http';
import {ensureCA} from '../certs/ca.js';
import {createCertProvider} from '../certs/provider.js';
import {UserError, errorCode} from '../errors.js';
import {startProxy, type ProxyOptions, type RunningProxy} from '../proxy/index.js';
import {Transport} from '../transport/index.js';
import type {Route} from '../routes/types.js';
import {writeFileAtomic} from '../state/atomic.js';
import {ensureHome, type StatePaths} from '../state/home.js';
import {VERSION} from '../version.js';
import {CacheRegistry} from '../frontdoor/cache-registry.js';
import {frontDoorFeatures} from '../frontdoor/index.js';
import {clearCache, retainCaches} from './cache.js';
import {startControlServer} from './control.js';
import {EventHub} from './hub.js';
import type {AddRouteRequest, CacheClearRequest, DaemonInfo, ProjectRoutesRequest, RemoveRouteRequest, Status} from './protocol.js';
import {pidAlive} from './process.js';
import {listenRedirect80} from './redirect80.js';
import {addRoute, pruneOwners, removeRoute, setProjectRoutes} from './routes.js';
import {withOwners} from './owners.js';
import {replay} from './replay.js';
import {loadRoutes, saveRoutes} from './store.js';

export interface DaemonOptions {
  paths: StatePaths;
  /** Exact HTTPS port; undefined means 443 when it can be bound, else 1443. */
  port?: number;
  /** Where the daemon says what it does (daemon.log when detached). Default console.log. */
  log?: (line: string) => void;
  /** Port for the plain-HTTP redirect to https. Default 80, and only when the HTTPS port is 443. */
  httpPort?: number;
  /** How often to look for exited `portico run` owners. Default 1000 ms. */
  ownerCheckMs?: number;
  /** Default wait for response headers, ms (routes may set their own). Default: PORTICO_TIMEOUT, else 30 s. */
  timeoutMs?: number;
}

export interface RunningDaemon {
  info: DaemonInfo;
  status(): Status;
  /** Graceful stop: in-flight requests finish (up to 5 s), routes persist. */
  stop(): Promise<void>;
  /** Resolves once the daemon has stopped (by stop() or a /shutdown request). */
  stopped: Promise<void>;
  hub: EventHub;
}

export const DEFAULT_PORT = 443;
export const FALLBACK_PORT = 1443;
/** Default wait for a backend's response headers (`up --timeout`, PORTICO_TIMEOUT). */
export const DEFAULT_TIMEOUT_MS = 30_000;

export async function runDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const {paths} = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const timeoutMs = options.timeoutMs ?? envTimeout() ?? DEFAULT_TIMEOUT_MS;
  ensureHome(paths.home);
  // Everything the daemon creates is private to the user; the directory is 0700 as well.
  process.umask(0o077);
  const hub = new EventHub(1000);
  // The daemon composes the pipeline: one cache registry shared by the cache passes and `cache clear`.
  const cacheRegistry = new CacheRegistry();
  const features = frontDoorFeatures({registry: cacheRegistry});
  let markReady!: () => void;
  let failReady!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {}); // a failed start is reported by the caller; requests waiting on it are answered
  let routes: Route[] = [];
  let proxy: RunningProxy | undefined;
  // Backend connections for forwarding, WebSockets and health probes: built here, handed to the proxy, closed on stop.
  const transport = new Transport();
  let redirect80: Awaited<ReturnType<typeof listenRedirect80>> | undefined;
  const notices: string[] = [];
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  /** Persist first, then apply: if the disk refuses, nothing changes and the user is told. */
  const commit = (next: Route[]) => {
    try {
      saveRoutes(paths, next);
    } catch (error) {
      const code = errorCode(error);
      throw new UserError(`Could not save ${paths.routes}: ${code === 'ENOSPC' ? 'the disk is full' : (code ?? (error as Error).message)}; nothing was changed.`, {cause: error});
    }
    routes = next;
    proxy?.setRoutes(routes);
    retainCaches(routes, cacheRegistry);
  };

  const status = (): Status => ({
    version: VERSION,
    pid: process.pid,
    port: proxy?.port ?? 0,
    startedAt: info.startedAt,
    ca: paths.caCert,
    routes: withOwners(proxy?.status() ?? [], routes),
    notices,
    timeout: timeoutMs,
    ...(redirect80 && 'port' in redirect80 ? {httpPort: redirect80.port} : {}),
  });
  /** Ports a route must not point at: they are portico's own. */
  const selfPorts = () => [proxy?.port ?? -1, ...(redirect80 && 'port' in redirect80 ? [redirect80.port] : [])];

  const info: DaemonInfo = {pid: process.pid, version: VERSION, port: 0, socket: paths.socket, startedAt: Date.now()};
  // The control socket first: of two daemons started at once, exactly one gets it and the other stops here.
  const control: http.Server = await startControlServer({
    socket: paths.socket,
    lock: path.join(paths.home, 'daemon.lock'),
    hub,
    ready,
    concurrent: {
      'GET /exchanges': () => hub.captures.all(),
      'GET /exchanges/:id': (_body, url) => {
        const id = idOf(url);
        const capture = hub.captures.get(id);
        if (!capture) throw new UserError(`Request ${id} was not captured (capture is on only while \`portico dash\` is open), or it was evicted.`, {exit: 4});
        return capture;
      },
      'POST /replay/:id': (_body, url) => {
        const id = idOf(url);
        const event = hub.history().find((e) => e.type === 'request' && e.id === id);
        return replay(id, {capture: hub.captures.get(id), event: event?.type === 'request' ? event : undefined}, {port: proxy?.port ?? 0, ca: readFileSync(paths.caCert, 'utf8')});
      },
    },
    routes: {
      'GET /status': () => status(),
      'GET /routes': () => routes,
      'POST /routes/add': (body) => {
        const result = addRoute(routes, body as AddRouteRequest, selfPorts());
        commit(result.routes);
        log(`${result.created ? 'added' : 'updated'} ${result.route.host}${result.route.path} -> ${result.route.targets.map((t) => t.url).join(', ')}`);
        return {route: result.route, created: result.created, notices: result.notices};
      },
      'POST /routes/remove': (body) => {
        const result = removeRoute(routes, body as RemoveRouteRequest);
        commit(result.routes);
        log(`removed ${result.removed.host}${result.removed.path} ${result.route ? result.removed.targets.map((t) => t.url).join(', ') : ''}`);
        return {removed: result.removed, ...(result.route ? {route: result.route} : {})};
      },
      'POST /routes/project': (body) => {
        const request = body as ProjectRoutesRequest;
        const result = setProjectRoutes(routes, request, selfPorts());
        commit(result.routes);
        log(`project ${request.project}: ${request.routes.length} route(s)`);
        return {...result, routes: routes.filter((r) => r.project === request.project)};
      },
      'POST /cache/clear': (body) => {
        const result = clearCache(routes, cacheRegistry, body as CacheClearRequest | undefined);
        log(`cache cleared: ${result.cleared.map((c) => `${c.route} (${c.responses})`).join(', ') || 'no caches'}`);
        return result;
      },
      'POST /shutdown': () => {
        setImmediate(() => void stop());
        return {ok: true};
      },
    },
  });

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      log('stopping: letting in-flight requests finish');
      clearInterval(ownerTimer);
      if (redirect80 && 'close' in redirect80) await redirect80.close();
      await proxy?.close(5000);
      transport.close();
      // Followers (`logs -f`, the dashboard) get the end of their stream; then every control connection goes.
      hub.close();
      await closeControl(control);
      for (const file of [paths.socket, paths.daemon]) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
      log('stopped');
      resolveStopped();
    })());

  let ownerTimer: NodeJS.Timeout | undefined;
  try {
    const ca = await ensureCA(paths);
    const certs = createCertProvider(ca, {certsDir: paths.certsDir});
    const loaded = loadRoutes(paths);
    routes = loaded.routes;
    if (loaded.notice) {
      notices.push(loaded.notice);
      log(loaded.notice);
    }
    proxy = await listen(options.port, {certs, routes, traffic: hub, transport, backendTimeout: timeoutMs, features}, notices);
    info.port = proxy.port;
    if (proxy.port === DEFAULT_PORT || options.httpPort !== undefined) {
      // Holding 443 means this user may bind low ports: take 80 too, for addresses typed without https://.
      redirect80 = await listenRedirect80(proxy.port, options.httpPort);
      if ('error' in redirect80) {
        notices.push(`Plain http://<name>.localhost/ does not redirect to https: ${redirect80.error.replace(/\.$/, '')}. Type https:// in the address bar.`);
        log(`port 80: ${redirect80.error}`);
      } else log(`redirecting http://*:${redirect80.port} to https`);
    }
    writeFileAtomic(paths.daemon, `${JSON.stringify(info, null, 2)}\n`, 0o600);
  } catch (error) {
    // CLIs that connected while we started (concurrent `add`s) get the reason, not a timeout.
    failReady(error);
    await closeControl(control);
    try {
      unlinkSync(paths.socket);
    } catch {
      // nothing to clean
    }
    throw error;
  }
  ownerTimer = setInterval(() => {
    const next = pruneOwners(routes, pidAlive);
    if (next) {
      log('dropped targets of exited `portico run` processes');
      try {
        commit(next);
      } catch (error) {
        log((error as Error).message);
      }
    }
  }, options.ownerCheckMs ?? 1000);
  ownerTimer.unref();
  markReady();
  log(`portico ${VERSION} listening on https://localhost:${info.port} (pid ${process.pid})`);
  return {info, status, stop, stopped, hub};
}

/** The numeric id at the end of a control URL (`/exchanges/12`). */
function idOf(url: URL): number {
  const text = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id)) throw new UserError(`Invalid request id \`${decodeURIComponent(text)}\`: expected a number from \`portico logs\`.`);
  return id;
}

/** Stop the control server: idle connections close now, answers being sent get a moment to flush. */
async function closeControl(control: http.Server): Promise<void> {
  const closed = new Promise((r) => control.close(r));
  const cut = setTimeout(() => control.closeAllConnections(), 500);
  await closed;
  clearTimeout(cut);
}

async function listen(port: number | undefined, base: Omit<ProxyOptions, 'port'>, notices: string[]): Promise<RunningProxy> {
  if (port !== undefined) return startProxy({...base, port});
  try {
    return await startProxy({...base, port: DEFAULT_PORT});
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const proxy = await startProxy({...base, port: FALLBACK_PORT});
    const inUse = /in use/.test(error.message);
    const how = inUse
      ? 'For 443, stop the program that holds it, then `portico down && portico up`.'
      : "For 443: `sudo setcap 'cap_net_bind_service=+ep' $(command -v node)` or `sudo sysctl net.ipv4.ip_unprivileged_port_start=443` (or `sudo portico up`), then `portico down && portico up`.";
    notices.push(
      `portico is serving on port ${FALLBACK_PORT} because ${inUse ? 'port 443 is in use by another program' : 'this user may not bind port 443'}: ` +
        `open https://<name>.localhost:${FALLBACK_PORT}/ (e.g. https://app.localhost:${FALLBACK_PORT}/). ${how}`,
    );
    return proxy;
  }
}
