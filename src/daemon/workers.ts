import {fork, type ChildProcess} from 'node:child_process';
import type net from 'node:net';
import path from 'node:path';
import type {HealthUpdate, SharedHealth} from '../proxy/table.js';
import type {RouteStatus, TargetStatus} from '../routes/status.js';
import type {Route} from '../routes/types.js';
import type {KeptCapture} from '../traffic/capture.js';
import type {TrafficEvent} from '../traffic/event.js';
import {PACKAGE_ROOT} from '../version.js';

/**
 * The primary's side of the worker processes (README "Workers"). With `up --workers N` the daemon
 * (the primary) accepts every connection and hands N-1 of each N, unread, to its workers, round
 * robin; each worker serves its connections to the end. Every piece of shared state has one owner,
 * the primary: the routes (pushed to each worker, acknowledged before a route change is answered),
 * the targets' health (the primary probes and announces; workers report what their requests found
 * and which routes they use, and follow the primary's verdicts: balance/pool.ts),
 * the traffic history, captures and the dashboard's stream (workers send their events here), the
 * caches, rate-limit buckets and access-gate counts (workers relay those routes' requests here,
 * proxy/relay.ts), and `ls`/`doctor`, which see one proxy: target counts are summed over processes.
 */

/** What a worker needs to serve as part of this proxy; the routes come with it and then with every change. */
export interface WorkerSetup {
  home: string;
  port: number;
  hop: string;
  /** TLS session ticket keys: a client resumes its session on whichever process gets its next connection. */
  ticketKeys: Buffer;
  timeoutMs: number;
  relay: {socket: string; secret: string};
  /** Processes in all (the primary and its workers): exchange ids step by it. */
  processes: number;
}

/** Primary -> worker. */
export type ToWorker =
  | {t: 'init'; setup: WorkerSetup; index: number; routes: Route[]; uses: [string, string][]; watch: Watch}
  | {t: 'routes'; seq: number; routes: Route[]; uses: [string, string][]}
  | {t: 'watch'; seq: number; watch: Watch}
  | {t: 'status'; seq: number; probeMaxAgeMs?: number}
  | {t: 'health'; updates: HealthUpdate[]}
  | {t: 'conn'}
  | {t: 'stop'};

/** Worker -> primary. */
export type FromWorker =
  | {t: 'ready'}
  | {t: 'ack'; seq: number}
  | {t: 'status'; seq: number; routes: RouteStatus[]}
  | {t: 'events'; events: TrafficEvent[]; captures: KeptCapture[]}
  | {t: 'observed'; route: string; target: string; error?: string}
  | {t: 'used'; route: string}
  | {t: 'log'; line: string};

/** What the traffic viewers ask for, mirrored in every worker's sink. */
export interface Watch {
  headers: boolean;
  capture: boolean;
}

export interface WorkersOptions {
  count: number;
  setup: WorkerSetup;
  routes(): {routes: Route[]; uses: ReadonlyMap<string, string>};
  watch(): Watch;
  /** A worker's traffic: its events (ids already unique) and captures, for the hub. */
  traffic(events: TrafficEvent[], captures: KeptCapture[]): void;
  /** The primary's end of the targets' health: what a worker's request found, that it used a route, and the verdicts now. */
  health: Pick<SharedHealth, 'observed' | 'used' | 'unhealthy'>;
  log(line: string): void;
}

/** How long the primary waits for a worker's answer (a route change, a status) before going on without it. */
const ANSWER_MS = 3000;

interface Worker {
  index: number;
  child: ChildProcess;
  ready: boolean;
  /** Crashes in a row, for the restart back-off. */
  crashes: number;
}

export class Workers {
  private readonly workers: (Worker | undefined)[] = [];
  private turn = 0;
  private seq = 0;
  private readonly waiting = new Map<number, {resolve(value: unknown[]): void; pending: Set<number>; results: unknown[]}>();
  private stopping = false;
  private readonly restarts = new Set<NodeJS.Timeout>();

  constructor(private readonly options: WorkersOptions) {}

  /** Start the workers and wait until each one serves (or failed to start: the primary serves alone then). */
  async start(): Promise<void> {
    await Promise.all(Array.from({length: this.options.count - 1}, (_, i) => this.spawn(i + 1, 0)));
  }

  /** The number of worker processes serving now. */
  get serving(): number {
    return this.workers.filter((w) => w?.ready).length;
  }

  /** The listener's hand-off: true when this connection went to a worker (listen.ts). */
  readonly handoff = (socket: net.Socket): boolean => {
    const slots = this.workers.length + 1;
    this.turn = (this.turn + 1) % slots;
    const worker = this.turn === 0 ? undefined : this.workers[this.turn - 1];
    if (!worker?.ready || !worker.child.connected) return false;
    worker.child.send({t: 'conn'} satisfies ToWorker, socket, {keepOpen: false}, (error) => {
      if (error) socket.destroy();
    });
    return true;
  };

  /** Push routes to every worker; resolves once each one serves them (a request right after `add` finds the route anywhere). */
  async setRoutes(routes: Route[], uses: ReadonlyMap<string, string>): Promise<void> {
    await this.ask((seq) => ({t: 'routes', seq, routes, uses: [...uses]}));
  }

  /** Tell the workers what viewers want now (headers, captures); resolves once each one records it. */
  async watch(watch: Watch): Promise<void> {
    await this.ask((seq) => ({t: 'watch', seq, watch}));
  }

  /** The primary's verdict on a target changed: every worker follows it (no answer awaited). */
  healthChanged(update: HealthUpdate): void {
    for (const w of this.workers) if (w?.ready && w.child.connected) w.child.send({t: 'health', updates: [update]} satisfies ToWorker);
  }

  /** Every worker's route status (probed first when `probeMaxAgeMs` is given), to merge into the primary's. */
  async statuses(probeMaxAgeMs?: number): Promise<RouteStatus[][]> {
    return (await this.ask((seq) => ({t: 'status', seq, ...(probeMaxAgeMs === undefined ? {} : {probeMaxAgeMs})}))) as RouteStatus[][];
  }

  /** Stop every worker: they finish their in-flight requests (up to 5 s) and exit. */
  async close(): Promise<void> {
    this.stopping = true;
    for (const timer of this.restarts) clearTimeout(timer);
    await Promise.all(
      this.workers.map(async (w) => {
        if (!w || w.child.exitCode !== null || w.child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => w.child.once('exit', () => resolve()));
        if (w.child.connected) w.child.send({t: 'stop'} satisfies ToWorker);
        else w.child.kill('SIGTERM');
        const timer = setTimeout(() => w.child.kill('SIGKILL'), 7000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  /** Send one request to every ready worker and collect their answers (a worker that does not answer in time is left out). */
  private ask(message: (seq: number) => ToWorker): Promise<unknown[]> {
    const ready = this.workers.filter((w): w is Worker => w?.ready === true);
    if (ready.length === 0) return Promise.resolve([]);
    const seq = ++this.seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        this.options.log(`worker ${[...entry.pending].join(', ')} did not answer within ${ANSWER_MS} ms; going on without it`);
        resolve(entry.results);
      }, ANSWER_MS);
      const entry = {
        pending: new Set(ready.map((w) => w.index)),
        results: [] as unknown[],
        resolve: (value: unknown[]) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      this.waiting.set(seq, entry);
      for (const w of ready) w.child.send(message(seq));
    });
  }

  /** A worker's answer to `seq` (`result` undefined: it exited before answering). */
  private answered(seq: number, index: number, result?: unknown): void {
    const entry = this.waiting.get(seq);
    if (!entry?.pending.delete(index)) return;
    if (result !== undefined) entry.results.push(result);
    if (entry.pending.size > 0) return;
    this.waiting.delete(seq);
    entry.resolve(entry.results);
  }

  private spawn(index: number, crashes: number): Promise<void> {
    const entry = path.join(PACKAGE_ROOT, 'dist', 'src', 'daemon', 'worker.js');
    // The worker's output goes where the daemon's does (daemon.log when detached).
    const child = fork(entry, [], {serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: process.env});
    const worker: Worker = {index, child, ready: false, crashes};
    this.workers[index - 1] = worker;
    const {routes, uses} = this.options.routes();
    child.send({t: 'init', setup: this.options.setup, index, routes, uses: [...uses], watch: this.options.watch()} satisfies ToWorker);
    return new Promise<void>((resolve) => {
      child.on('message', (message: FromWorker) => {
        switch (message.t) {
          case 'ready':
            worker.ready = true;
            worker.crashes = 0;
            this.options.log(`worker ${index} serving (pid ${child.pid})`);
            // Routes changed while it started: it gets them now (it took them from init otherwise).
            this.resync(worker);
            resolve();
            break;
          case 'ack':
            this.answered(message.seq, index, true);
            break;
          case 'status':
            this.answered(message.seq, index, message.routes);
            break;
          case 'events':
            this.options.traffic(message.events, message.captures);
            break;
          case 'observed':
            this.options.health.observed(message.route, message.target, message.error);
            break;
          case 'used':
            this.options.health.used(message.route);
            break;
          case 'log':
            this.options.log(`worker ${index}: ${message.line}`);
            break;
        }
      });
      child.on('error', (error) => this.options.log(`worker ${index}: ${error.message}`));
      child.once('exit', (code, signal) => {
        worker.ready = false;
        resolve();
        // Its pending answers will not come: whoever waits goes on without them.
        for (const seq of [...this.waiting.keys()]) this.answered(seq, index);
        if (this.stopping) return;
        const delay = Math.min(30_000, 500 * 2 ** worker.crashes);
        this.options.log(`worker ${index} exited (${signal ?? `code ${code}`}); starting another in ${delay} ms`);
        const timer = setTimeout(() => {
          this.restarts.delete(timer);
          if (!this.stopping) void this.spawn(index, worker.crashes + 1);
        }, delay);
        timer.unref();
        this.restarts.add(timer);
      });
    });
  }

  /** A worker that starts gets the routes as they are now and the targets the primary holds down. */
  private resync(worker: Worker): void {
    const {routes, uses} = this.options.routes();
    if (!worker.child.connected) return;
    worker.child.send({t: 'routes', seq: 0, routes, uses: [...uses]} satisfies ToWorker);
    const updates = this.options.health.unhealthy();
    if (updates.length > 0) worker.child.send({t: 'health', updates} satisfies ToWorker);
  }
}

/** The primary's route status with every worker's counts added: `ls` and `doctor` see one proxy. */
export function mergeStatuses(own: RouteStatus[], others: RouteStatus[][]): RouteStatus[] {
  if (others.length === 0) return own;
  const byRoute = new Map<string, Map<string, TargetStatus[]>>();
  for (const routes of others) {
    for (const route of routes) {
      const key = `${route.host}${route.path}`;
      let targets = byRoute.get(key);
      if (!targets) byRoute.set(key, (targets = new Map()));
      for (const t of route.targets) targets.set(t.target, [...(targets.get(t.target) ?? []), t]);
    }
  }
  return own.map((route) => {
    const targets = byRoute.get(`${route.host}${route.path}`);
    if (!targets) return route;
    return {
      ...route,
      targets: route.targets.map((t) => {
        const seen = targets.get(t.target) ?? [];
        const down = [t, ...seen].find((s) => !s.healthy);
        const merged: TargetStatus = {
          ...t,
          healthy: down === undefined,
          active: seen.reduce((sum, s) => sum + s.active, t.active),
          requests: seen.reduce((sum, s) => sum + s.requests, t.requests),
        };
        if (down?.lastError) merged.lastError = down.lastError;
        return merged;
      }),
    };
  });
}
