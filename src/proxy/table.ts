import {shownOptions} from '../routes/options-data.js';
import {Pool, type HealthShare, type HealthState} from '../balance/pool.js';
import type {CopyStatus, RouteStatus} from '../routes/status.js';
import {indexRoutes, matchRoute, type RouteIndex} from '../routes/match.js';
import {parseTarget} from '../routes/parse.js';
import {routeKey, type Route} from '../routes/types.js';
import {routeUrl} from '../routes/url.js';
import type {HealthEvent} from '../traffic/event.js';
import type {Transport} from '../transport/index.js';
import type {PassFactory, RequestPass, ResponsePass, RouteEntry} from '../pipeline/exchange.js';
import {indexCopies, type CopyGroup, type CopyIndex} from '../routes/copies.js';
import {CAPTURE} from './capture.js';
import {COPY_PASSES} from './copy-cookies.js';
import type {RouteLink} from './pages.js';

export interface RouteTableOptions {
  /** The public HTTPS port, for URLs. */
  port: () => number;
  onHealth?: (event: HealthEvent) => void;
  /** Connections for health probes (shared with forwarding, so a target's address family is learnt once). */
  transport: Transport;
  /** Run active health probes while a route has traffic. Default true. */
  probes?: boolean;
  /**
   * The features whose passes routes get, in the order they run (built by whoever composes the proxy:
   * the daemon hands in the front door). Capture is appended last, so it records the response as the
   * client gets it. Default: none but capture.
   */
  features?: readonly PassFactory[];
  /** A worker process: routes with a pass of a shared feature are marked to be relayed to the primary (README "Workers"). */
  relayShared?: boolean;
  /** With workers: this process's part in the targets' one health (balance/pool.ts, README "Workers"). */
  share?: HealthShare;
}

/** One target's health as the owner decided it, addressed by route key. */
export interface HealthUpdate {
  route: string;
  target: string;
  state: HealthState;
}

/** The targets' one health across processes (README "Workers"): the owner's and the followers' ends. */
export interface SharedHealth {
  /** Owner: what a follower's request found on a target (an error, or undefined for an answer). */
  observed(route: string, target: string, error?: string): void;
  /** Owner: a follower's request used the route (probe it while any process does). */
  used(route: string): void;
  /** Owner: the verdicts on targets not healthy now, for a follower that starts. */
  unhealthy(): HealthUpdate[];
  /** Follower: the owner's verdicts. */
  apply(updates: readonly HealthUpdate[]): void;
}

/**
 * The live route table. set() swaps in a new index at once; pools of routes that stay keep their
 * counts and health, and requests in flight keep the entry they matched.
 */
export class RouteTable implements SharedHealth {
  private entries: RouteEntry[] = [];
  private byKey = new Map<string, RouteEntry>();
  private index: RouteIndex<RouteEntry> = new Map();
  private copies: CopyIndex = indexCopies([]);

  private readonly features: readonly PassFactory[];

  constructor(private readonly options: RouteTableOptions) {
    this.features = [...(options.features ?? []), CAPTURE];
  }

  /** `uses`: stable host -> the copy `portico use` chose (README "Copies of an app"). */
  set(routes: readonly Route[], uses: ReadonlyMap<string, string> = new Map()): void {
    const old = new Map(this.entries.map((e) => [e.key, e]));
    const copies = indexCopies(routes, uses);
    const next: RouteEntry[] = [];
    for (const route of routes) {
      const key = routeKey(route);
      const poolOptions = {
        route: key,
        routePath: route.path,
        targets: route.targets.map((t) => ({target: parseTarget(t.url), owner: t.owner, weight: t.weight})),
        strategy: route.strategy,
        health: route.health,
        onHealth: this.options.onHealth,
        transport: this.options.transport,
        probes: this.options.probes,
        ...(this.options.share ? {share: this.options.share} : {}),
      };
      const previous = old.get(key);
      let pool: Pool;
      if (previous) {
        pool = previous.pool;
        pool.update(poolOptions);
        old.delete(key);
      } else pool = new Pool(poolOptions);
      const features = inGroup(route, copies) ? [COPY_PASSES, ...this.features] : this.features;
      next.push(buildEntry({host: route.host, path: route.path, key, route, pool}, features, this.options.relayShared));
    }
    for (const gone of old.values()) gone.pool.close();
    this.entries = next;
    this.byKey = new Map(next.map((e) => [e.key, e]));
    this.index = indexRoutes(next);
    this.copies = copies;
  }

  /** The public HTTPS port, for URLs on portico's own pages. */
  port(): number {
    return this.options.port();
  }

  /** The copies behind a stable host, when `host` is one. */
  copyGroup(host: string): CopyGroup | undefined {
    return this.copies.groups.size === 0 ? undefined : this.copies.groups.get(host);
  }

  /** The host whose routes serve `host` when it is the first copy's own address (`main.shop.localhost`). */
  copyAlias(host: string): string | undefined {
    return this.copies.aliases.size === 0 ? undefined : this.copies.aliases.get(host);
  }

  match(host: string, path: string): RouteEntry | undefined {
    return matchRoute(this.index, host, path);
  }

  links(): RouteLink[] {
    const port = this.options.port();
    return this.entries.map((e) => ({url: routeUrl(e.host, e.path, port), targets: e.route.targets.map((t) => t.url)}));
  }

  status(): RouteStatus[] {
    const port = this.options.port();
    return this.entries.map(({route, pool}) => ({
      host: route.host,
      path: route.path,
      url: routeUrl(route.host, route.path, port),
      strategy: route.strategy,
      ...(route.health ? {health: route.health} : {}),
      stripPrefix: route.stripPrefix,
      ...(route.project ? {project: route.project} : {}),
      ...(route.options ? {options: shownOptions(route.options)} : {}),
      ...this.copyStatus(route, port),
      targets: pool.snapshot(),
    }));
  }

  /** Probe the targets of routes without traffic (theirs are fresh) unless probed within `maxAgeMs`, for a status that shows real health. */
  async probeIdle(maxAgeMs = 0): Promise<void> {
    await Promise.all(this.entries.map((e) => e.pool.probeIfStale(maxAgeMs)));
  }

  observed(route: string, target: string, error?: string): void {
    this.byKey.get(route)?.pool.observe(target, error);
  }

  used(route: string): void {
    this.byKey.get(route)?.pool.markUsed();
  }

  unhealthy(): HealthUpdate[] {
    return this.entries.flatMap((e) => e.pool.unhealthy().map((h) => ({route: e.key, ...h})));
  }

  apply(updates: readonly HealthUpdate[]): void {
    for (const {route, target, state} of updates) this.byKey.get(route)?.pool.apply(target, state);
  }

  private copyStatus(route: Route, port: number): {copy?: CopyStatus} {
    const stable = route.copy ? (route.copy.of ?? route.host) : undefined;
    const group = stable === undefined ? undefined : this.copies.groups.get(stable);
    const member = group?.members.find((m) => m.name === route.copy!.name);
    if (!group || !member) return {};
    return {
      copy: {
        name: member.name,
        stable: group.stable,
        url: routeUrl(member.address, route.path, port),
        ...(member.branch ? {branch: member.branch} : {}),
        serving: group.serving === member.name,
      },
    };
  }

  close(): void {
    for (const e of this.entries) e.pool.close();
    this.entries = [];
    this.byKey = new Map();
    this.index = new Map();
  }
}

/** A copy of an app beside others, or the stable host of one: its routes get the copy passes. */
function inGroup(route: Route, copies: CopyIndex): boolean {
  return copies.groups.has(route.copy?.of ?? route.host);
}

/** A route's pass tables, built once per route change so a request only walks two arrays. */
export function buildEntry(
  base: Omit<RouteEntry, 'requestPasses' | 'responsePasses' | 'relay'>,
  features: readonly PassFactory[],
  relayShared = false,
): RouteEntry {
  const requestPasses: RequestPass[] = [];
  const responsePasses: ResponsePass[] = [];
  let relay = false;
  const entry: RouteEntry = {...base, requestPasses, responsePasses};
  for (const feature of features) {
    const request = feature.request?.(entry);
    if (request) requestPasses.push(request);
    const response = feature.response?.(entry);
    if (response) responsePasses.push(response);
    if (feature.shared && (request || response)) relay = true;
  }
  return relayShared && relay ? {...entry, relay} : entry;
}
