import {createHash} from 'node:crypto';
import type {TargetStatus} from '../routes/status.js';
import type {Strategy, Target} from '../routes/types.js';
import type {HealthEvent} from '../traffic/event.js';
import type {Transport} from '../transport/agents.js';
import {probeHttp, probeTcp} from '../transport/probe.js';
import {createPolicy} from './policies/index.js';
import type {Policy} from './policy.js';
import {Upstream} from './upstream.js';

export interface PoolOptions {
  /** Route key (`host` or `host/path`), for events and the sticky cookie name. */
  route: string;
  /** The route's path, the sticky cookie's Path. Default `/`. */
  routePath?: string;
  /** Each with its weight (default 1; 0 drains: no new requests, in-flight ones finish). */
  targets: ReadonlyArray<{target: Target; owner?: number; weight?: number}>;
  /** Default round-robin. */
  strategy: Strategy;
  /** Active probe path (`/healthz`); absent means a TCP connect. */
  health?: string;
  /** Health changes, for the dashboard and `logs`. */
  onHealth?: (event: HealthEvent) => void;
  /** Clock. Default Date.now. */
  now?: () => number;
  /** How long a passive failure keeps an instance out. Default 2000 ms. */
  cooloffMs?: number;
  /** Active probe interval. Default 2000 ms. */
  probeIntervalMs?: number;
  /** Active probe timeout. Default 1000 ms. */
  probeTimeoutMs?: number;
  /** Connections for active probes, handed down by whoever composes the proxy. Without it there are none (traffic starts no timer). */
  transport?: Transport;
  /** Probe while the route has traffic (false: only probeAll/probeIfStale, e.g. tests). Default true. */
  probes?: boolean;
  /** With workers: which process decides this route's health, and how the others learn it (README "Workers"). */
  share?: HealthShare;
}

/** An upstream's health as the process that owns it decided, for the processes that follow it. */
export interface HealthState {
  /** The verdict last announced (a HealthEvent). */
  healthy: boolean;
  probeOk: boolean;
  downUntil: number;
  failedAt: number;
  lastError?: string;
}

/**
 * One proxy in several processes has one health per target (README "Workers"). The owner (the
 * primary) probes, announces the changes as HealthEvents and pushes each change to the followers;
 * a follower (a worker) probes nothing and announces nothing: it tells the owner what its own
 * requests found (a target refused, a target answered again) and that a route has traffic, so the
 * owner probes it while any process uses it.
 */
export type HealthShare =
  | {role: 'owner'; changed(route: string, target: string, state: HealthState): void}
  | {role: 'follower'; observed(route: string, target: string, error?: string): void; used(route: string): void};

/** A route's upstreams, its policy, and their health. The proxy calls pick/begin/end/report*. */
export class Pool {
  upstreams: Upstream[] = [];
  private policy!: Policy;
  private options!: PoolOptions;
  private timer?: NodeJS.Timeout;
  private probing = false;
  /** A request began since the last probe tick: the route is in use, keep probing. */
  private used = false;
  /** Epoch ms of the last finished probe round (0: never), so an on-demand probe can reuse a fresh one. */
  private probedAt = 0;
  private cookieName = '';
  private readonly byCookie = new Map<string, Upstream>();
  /** A follower's last "route in use" to the owner (epoch ms), sent at most once per half probe interval. */
  private usedSentAt = 0;
  /** A follower's timer while its requests or WebSockets on this route are open (tellOwner). */
  private holding?: NodeJS.Timeout;

  constructor(options: PoolOptions) {
    this.update(options);
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Live route change: upstreams whose target stays keep their counts and health. */
  update(options: PoolOptions): void {
    const strategyChanged = this.options?.strategy !== options.strategy;
    this.options = options;
    if (strategyChanged) this.policy = createPolicy(options.strategy);
    const old = new Map(this.upstreams.map((u) => [u.target.url, u]));
    this.upstreams = options.targets.map(({target, owner, weight}) => {
      const u = old.get(target.url) ?? new Upstream(target);
      u.owner = owner;
      u.weight = weight ?? 1;
      return u;
    });
    this.cookieName = `portico_${createHash('sha256').update(options.route).digest('hex').slice(0, 8)}`;
    this.byCookie.clear();
    for (const u of this.upstreams) this.byCookie.set(cookieValue(u), u);
  }

  /**
   * Choose an upstream for a request. When every one is down, the least recently failed one is still
   * tried: a dev server that just came back answers at once, and a single-target route shows the real error.
   */
  pick(ctx: {cookie?: string; exclude?: ReadonlySet<Upstream>} = {}): Upstream | undefined {
    const now = this.now;
    const {exclude} = ctx;
    const candidates = this.upstreams.filter((u) => u.weight > 0 && u.available(now) && !exclude?.has(u));
    const sticky = ctx.cookie && this.options.strategy === 'sticky' ? this.fromCookie(ctx.cookie) : undefined;
    const chosen = this.policy.select({candidates, sticky});
    if (chosen) return chosen;
    let best: Upstream | undefined;
    // A drained instance (weight 0) gets no new request even then.
    for (const u of this.upstreams) if (u.weight > 0 && !exclude?.has(u) && (!best || u.failedAt < best.failedAt)) best = u;
    return best;
  }

  begin(u: Upstream): void {
    u.active++;
    u.requests++;
    this.used = true;
    const {share} = this.options;
    if (share?.role === 'follower') return this.tellOwner(share.used);
    if (!this.timer && this.options.probes !== false && this.options.transport) this.wake();
  }

  /**
   * A follower's route is in use: tell the owner, which probes for it, at once (at most once per half
   * probe interval), and every interval while requests or WebSockets stay open here, as the owner's
   * own timer keeps probing for its own open ones. The timer stops when the last one ends.
   */
  private tellOwner(used: (route: string) => void): void {
    const interval = this.options.probeIntervalMs ?? 2000;
    const now = this.now;
    if (now - this.usedSentAt >= interval / 2) {
      this.usedSentAt = now;
      used(this.options.route);
    }
    if (this.holding) return;
    this.holding = setInterval(() => {
      if (!this.upstreams.some((u) => u.active > 0)) return this.close();
      this.usedSentAt = this.now;
      used(this.options.route);
    }, interval);
    this.holding.unref();
  }

  /** The owner's side: another process's request used this route (probe it as if this one had). */
  markUsed(): void {
    this.used = true;
    if (!this.timer && this.options.probes !== false && this.options.transport) this.wake();
  }

  /** The owner's side: what another process's request found on `target` (an error, or an answer). */
  observe(target: string, error?: string): void {
    const u = this.upstream(target);
    if (!u) return;
    if (error === undefined) this.reportSuccess(u);
    else this.reportFailure(u, error);
  }

  /** A follower's side: the owner's verdict on `target`. */
  apply(target: string, state: HealthState): void {
    const u = this.upstream(target);
    if (!u) return;
    u.announced = state.healthy;
    u.probeOk = state.probeOk;
    u.downUntil = state.downUntil;
    u.failedAt = state.failedAt;
    u.lastError = state.lastError;
  }

  private upstream(target: string): Upstream | undefined {
    return this.upstreams.find((u) => u.target.url === target);
  }

  /** The owner's verdicts on targets not healthy now, for a follower that starts. */
  unhealthy(): {target: string; state: HealthState}[] {
    return this.upstreams.filter((u) => !u.announced).map((u) => ({target: u.target.url, state: stateOf(u)}));
  }

  end(u: Upstream): void {
    if (u.active > 0) u.active--;
  }

  /** A refused or reset connection: out of rotation for the cool-off, announced once. */
  reportFailure(u: Upstream, error: string): void {
    const now = this.now;
    u.failedAt = now;
    u.downUntil = now + (this.options.cooloffMs ?? 2000);
    u.lastError = error;
    this.announce(u, false, error);
  }

  reportSuccess(u: Upstream): void {
    if (u.downUntil !== 0 || !u.probeOk) {
      u.downUntil = 0;
      u.probeOk = true;
      u.lastError = undefined;
    }
    this.announce(u, true);
  }

  /** The Set-Cookie that keeps this browser on `u`, for sticky routes only. */
  stickyCookie(u: Upstream): string | undefined {
    if (this.options.strategy !== 'sticky') return undefined;
    return `${this.cookieName}=${cookieValue(u)}; Path=${this.options.routePath ?? '/'}; HttpOnly; Secure; SameSite=Lax`;
  }

  /** True when the request already carries the cookie for `u` (no need to set it again). */
  hasStickyCookie(cookie: string | undefined, u: Upstream): boolean {
    return cookie !== undefined && this.fromCookie(cookie) === u;
  }

  private fromCookie(header: string): Upstream | undefined {
    const value = cookieNamed(header, this.cookieName);
    return value === undefined ? undefined : this.byCookie.get(value);
  }

  /**
   * Traffic after a quiet spell: probe now (verdicts from before may be stale, and a stale "down" would
   * keep a restarted instance out of rotation) and every interval while the route stays in use. Idle
   * routes cost nothing: no timer, no connection (README "Load balancing").
   */
  private wake(): void {
    this.timer = setInterval(() => this.tick(), this.options.probeIntervalMs ?? 2000);
    this.timer.unref();
    void this.probeAll();
  }

  /** One interval: probe if the route was used since the last tick or still has requests or WebSockets open; else stop. */
  private tick(): void {
    if (!this.used && !this.upstreams.some((u) => u.active > 0)) return this.close();
    this.used = false;
    void this.probeAll();
  }

  /** True while traffic keeps the probe timer running. */
  get probingOnTraffic(): boolean {
    return this.timer !== undefined;
  }

  /** For `ls` and the dashboard on a route without traffic: probe now unless a probe round is at most `maxAgeMs` old. A follower's owner probes. */
  async probeIfStale(maxAgeMs = 0): Promise<void> {
    if (this.timer || this.options.share?.role === 'follower' || (maxAgeMs > 0 && this.now - this.probedAt <= maxAgeMs)) return;
    await this.probeAll();
  }

  /** Probe every upstream once now (also what the timer runs). */
  async probeAll(): Promise<void> {
    if (this.probing) return;
    const {transport} = this.options;
    if (!transport) throw new Error(`Pool ${this.options.route} probes without a transport: pass options.transport.`);
    this.probing = true;
    try {
      const timeout = this.options.probeTimeoutMs ?? 1000;
      await Promise.all(
        this.upstreams.map(async (u) => {
          const error = this.options.health ? await probeHttp(u.target, this.options.health, timeout, transport) : await probeTcp(u.target, timeout, transport);
          u.probeOk = error === undefined;
          if (error === undefined) {
            u.downUntil = Math.min(u.downUntil, this.now);
            u.lastError = undefined;
            this.announce(u, true);
          } else {
            u.lastError = error;
            u.failedAt = this.now;
            this.announce(u, false, error);
          }
        }),
      );
    } finally {
      this.probing = false;
      this.probedAt = this.now;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.holding) clearInterval(this.holding);
    this.timer = undefined;
    this.holding = undefined;
  }

  snapshot(): TargetStatus[] {
    const now = this.now;
    return this.upstreams.map((u) => ({
      target: u.target.url,
      healthy: u.available(now),
      active: u.active,
      requests: u.requests,
      weight: u.weight,
      ...(u.lastError && !u.available(now) ? {lastError: u.lastError} : {}),
      ...(u.owner === undefined ? {} : {owner: u.owner}),
    }));
  }

  private announce(u: Upstream, healthy: boolean, error?: string): void {
    if (u.announced === healthy) return;
    u.announced = healthy;
    const {share, route} = this.options;
    if (share?.role === 'follower') return share.observed(route, u.target.url, healthy ? undefined : error);
    this.options.onHealth?.({type: 'health', time: this.now, route, target: u.target.url, healthy, ...(error ? {error} : {})});
    share?.changed(route, u.target.url, stateOf(u));
  }
}

function stateOf(u: Upstream): HealthState {
  return {healthy: u.announced, probeOk: u.probeOk, downUntil: u.downUntil, failedAt: u.failedAt, ...(u.lastError ? {lastError: u.lastError} : {})};
}

function cookieValue(u: Upstream): string {
  return createHash('sha256').update(u.target.url).digest('base64url').slice(0, 12);
}

/**
 * The value of the cookie called exactly `name` in a Cookie header (RFC 6265 §5.4: `name=value`
 * pairs separated by `;`), so that `xportico_<hash>` or `portico_<hash>x` is never taken for it.
 */
function cookieNamed(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
