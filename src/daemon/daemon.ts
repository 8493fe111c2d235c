import {randomBytes} from 'node:crypto';
import {readFileSync, unlinkSync} from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import {ensureCA} from '../certs/ca.js';
import {createCertProvider} from '../certs/provider.js';
import {domainIssuers} from '../domains/store.js';
import {isUnderAddedDomain, listDomains} from '../domains/files.js';
import {UserError, errorCode} from '../errors.js';
import {CacheRegistry} from '../frontdoor/cache-registry.js';
import {frontDoorFeatures} from '../frontdoor/index.js';
import {envTimeout} from '../routes/duration.js';
import type {RouteStatus} from '../routes/status.js';
import type {Route} from '../routes/types.js';
import {writeFileAtomic} from '../state/atomic.js';
import {readLastPort, writeLastPort} from '../state/last-port.js';
import {ensureHome, type StatePaths} from '../state/home.js';
import {Transport} from '../transport/index.js';
import {VERSION} from '../version.js';
import {count} from '../text.js';
import {retainCaches} from './cache.js';
import {startControlServer} from './control.js';
import {loadUses, saveUses, usesFile} from './copies.js';
import {controlHandlers} from './handlers.js';
import {EventHub} from './hub.js';
import {withOwners} from './owners.js';
import {pidAlive} from '../state/pid.js';
import type {DaemonInfo, Status} from './protocol.js';
import {pruneOwners} from './routes.js';
import {serve, type Serving} from './serve.js';
import {loadRoutes, saveRoutes} from './store.js';
import {Workers, mergeStatuses} from './workers.js';

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
  /** Processes that serve connections: this one and `workers - 1` worker processes (README "Workers"). Default 1. */
  workers?: number;
}

export interface RunningDaemon {
  info: DaemonInfo;
  status(): Promise<Status>;
  /** Graceful stop: in-flight requests finish (up to 5 s), routes persist. */
  stop(): Promise<void>;
  /** Resolves once the daemon has stopped (by stop() or a /shutdown request). */
  stopped: Promise<void>;
  hub: EventHub;
}

/** Default wait for a backend's response headers (`up --timeout`, PORTICO_TIMEOUT). */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Start the daemon: the control socket first (of two daemons started at once, exactly one gets it
 * and the other stops here), then the CA, the routes and the proxy. Control requests that arrive
 * meanwhile wait for `ready`; the handlers themselves live in handlers.ts.
 */
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
  // `--cors` self covers names under added domains too (README "CORS").
  const features = frontDoorFeatures({registry: cacheRegistry, ownName: (host) => isUnderAddedDomain(paths.home, host)});
  const ready = deferred();
  const stopped = deferred();
  const info: DaemonInfo = {pid: process.pid, version: VERSION, port: 0, socket: paths.socket, startedAt: Date.now()};
  // Backend connections for forwarding, WebSockets and health probes: built here, handed to the proxy, closed on stop.
  const transport = new Transport();
  let routes: Route[] = [];
  // Which copy each stable host serves by default (`portico use`): README "Copies of an app".
  let uses = loadUses(paths);
  let serving: Serving | undefined;
  const notices: string[] = [];
  let ownerTimer: NodeJS.Timeout | undefined;

  // Worker processes (README "Workers"): started once the proxy has its port; the primary owns all shared state.
  const processes = Math.max(1, options.workers ?? 1);
  let workers: Workers | undefined;
  const hop = randomBytes(6).toString('hex');
  const ticketKeys = randomBytes(48);
  const relay = {socket: path.join(paths.home, 'relay.sock'), secret: randomBytes(18).toString('base64url')};

  /** Persist first, then apply: if the disk refuses, nothing changes and the user is told. Resolves once every worker serves the change. */
  const commit = async (next: Route[]) => {
    persist(paths, next);
    routes = next;
    serving?.proxy.setRoutes(routes, uses);
    retainCaches(routes, cacheRegistry);
    if (!stopping) ownerTimer = watchOwners(ownerTimer, routes, checkOwners);
    await workers?.setRoutes(routes, uses);
  };
  const checkOwners = {commit, log, everyMs: options.ownerCheckMs ?? 1000, routes: () => routes};

  const ownStatus = (merged?: RouteStatus[]): Status => ({
    version: VERSION,
    pid: process.pid,
    port: info.port,
    startedAt: info.startedAt,
    ca: paths.caCert,
    routes: withOwners(merged ?? serving?.proxy.status() ?? [], routes),
    notices,
    timeout: timeoutMs,
    ...(redirectPort(serving) ? {httpPort: redirectPort(serving)} : {}),
    ...(processes > 1 ? {workers: processes} : {}),
  });
  /** One proxy's status: with workers, their target counts and health are merged in (probed first when `probeMaxAgeMs` is given). */
  const status = async (probeMaxAgeMs?: number): Promise<Status> => {
    if (probeMaxAgeMs !== undefined) await serving?.proxy.probeIdle(probeMaxAgeMs);
    if (!workers || !serving) return ownStatus();
    const own = serving.proxy.status();
    return ownStatus(mergeStatuses(own, await workers.statuses(probeMaxAgeMs)));
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      log('stopping: letting in-flight requests finish');
      clearInterval(ownerTimer);
      ownerTimer = undefined;
      if (serving?.redirect80 && 'close' in serving.redirect80) await serving.redirect80.close();
      await Promise.all([workers?.close(), serving?.proxy.close(5000)]);
      transport.close();
      // Followers (`logs -f`, the dashboard) get the end of their stream; then every control connection goes.
      hub.close();
      await closeControl(control);
      for (const file of [paths.socket, paths.daemon, relay.socket]) removeFile(file);
      log('stopped');
      stopped.resolve();
    })());

  const control = await startControlServer({
    socket: paths.socket,
    lock: path.join(paths.home, 'daemon.lock'),
    hub,
    ready: ready.promise,
    handlers: controlHandlers({
      routes: () => routes,
      commit,
      status,
      selfPorts: () => [info.port || -1, ...(redirectPort(serving) ? [redirectPort(serving)!] : [])],
      hub,
      caches: cacheRegistry,
      replayTarget: () => ({port: info.port, ca: readFileSync(paths.caCert, 'utf8')}),
      port: () => info.port,
      uses: () => uses,
      async commitUses(next) {
        try {
          saveUses(paths, next);
        } catch (error) {
          throw new UserError(`Could not save ${usesFile(paths)}: ${errorCode(error) ?? (error as Error).message}; nothing was changed.`, {cause: error});
        }
        uses = next;
        serving?.proxy.setRoutes(routes, uses);
        await workers?.setRoutes(routes, uses);
      },
      stop,
      log,
      domains: () => listDomains(paths.home),
    }),
  });

  try {
    const certs = createCertProvider(await ensureCA(paths), {
      certsDir: paths.certsDir,
      issuerFor: domainIssuers(paths.home),
      ...(processes > 1 ? {ticketKeys} : {}),
    });
    const loaded = loadRoutes(paths);
    routes = loaded.routes;
    if (loaded.notice) {
      notices.push(loaded.notice);
      log(loaded.notice);
    }
    serving = await serve({
      port: options.port,
      lastPort: readLastPort(paths),
      httpPort: options.httpPort,
      certs,
      routes,
      traffic: hub,
      transport,
      features,
      backendTimeout: timeoutMs,
      log,
      ...(processes > 1
        ? {
            shared: {
              hop,
              ticketKeys,
              ids: {first: 1, step: processes},
              handoff: (socket) => workers?.handoff(socket) ?? false,
              relayListen: relay,
              healthShare: {role: 'owner', changed: (route, target, state) => workers?.healthChanged({route, target, state})},
            },
          }
        : {}),
    });
    notices.push(...serving.notices);
    serving.proxy.setRoutes(routes, uses);
    info.port = serving.proxy.port;
    if (processes > 1) {
      workers = new Workers({
        count: processes,
        setup: {home: paths.home, port: info.port, hop, ticketKeys, timeoutMs, relay, processes},
        routes: () => ({routes, uses}),
        watch: () => ({headers: hub.wantsHeaders, capture: hub.wantsCapture}),
        traffic(events, captures) {
          for (const capture of captures) hub.capture(capture);
          for (const event of events) hub.emit(event);
        },
        health: serving.proxy.health,
        log,
      });
      hub.onWatchChange = async () => workers?.watch({headers: hub.wantsHeaders, capture: hub.wantsCapture});
      await workers.start();
    }
    writeLastPort(paths, info.port);
    writeFileAtomic(paths.daemon, `${JSON.stringify(info, null, 2)}\n`, 0o600);
  } catch (error) {
    // CLIs that connected while we started (concurrent `add`s) get the reason, not a timeout.
    ready.reject(error);
    await closeControl(control);
    removeFile(paths.socket);
    throw error;
  }
  ownerTimer = watchOwners(ownerTimer, routes, checkOwners);
  ready.resolve();
  log(`portico ${VERSION} listening on https://localhost:${info.port} (pid ${process.pid}${processes > 1 ? `, ${count(workers!.serving, 'worker')}` : ''})`);
  return {info, status, stop, stopped: stopped.promise, hub};
}

function persist(paths: StatePaths, routes: Route[]): void {
  try {
    saveRoutes(paths, routes);
  } catch (error) {
    const code = errorCode(error);
    throw new UserError(
      `Could not save ${paths.routes}: ${code === 'ENOSPC' ? 'the disk is full' : (code ?? (error as Error).message)}; nothing was changed.`,
      {cause: error},
    );
  }
}

function redirectPort(serving: Serving | undefined): number | undefined {
  return serving?.redirect80 && 'port' in serving.redirect80 ? serving.redirect80.port : undefined;
}

/**
 * Targets of `portico run` processes that exited are dropped, checked every `everyMs` while some
 * target has an owner: a daemon with hand-added routes runs no timer when idle (README "Performance").
 * Returns the timer running after the change (`current`, a new one, or none).
 */
function watchOwners(
  current: NodeJS.Timeout | undefined,
  routes: readonly Route[],
  check: {commit: (next: Route[]) => Promise<void>; log: (line: string) => void; everyMs: number; routes: () => Route[]},
): NodeJS.Timeout | undefined {
  const owned = routes.some((r) => r.targets.some((t) => t.owner !== undefined));
  if (!owned) {
    clearInterval(current);
    return undefined;
  }
  if (current) return current;
  const timer = setInterval(() => {
    const next = pruneOwners(check.routes(), pidAlive);
    if (!next) return;
    check.log('dropped targets of exited `portico run` processes');
    check.commit(next).catch((error: Error) => check.log(error.message));
  }, check.everyMs);
  timer.unref();
  return timer;
}

function deferred(): {promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void} {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a failed start is reported by the caller; requests waiting on it are answered
  return {promise, resolve, reject};
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Stop the control server: idle connections close now, answers being sent get a moment to flush. */
async function closeControl(control: http.Server): Promise<void> {
  const closed = new Promise((r) => control.close(r));
  const cut = setTimeout(() => control.closeAllConnections(), 500);
  await closed;
  clearTimeout(cut);
}
