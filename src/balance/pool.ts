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
  /** Connections for active probes, handed down by whoever composes the proxy. Needed by startProbes/probeAll. */
  transport?: Transport;
}

/** A route's upstreams, its policy, and their health. The proxy calls pick/begin/end/report*. */
export class Pool {
  upstreams: Upstream[] = [];
  private policy!: Policy;
  private options!: PoolOptions;
  private timer?: NodeJS.Timeout;
  private probing = false;
  private cookieName = '';
  private readonly byCookie = new Map<string, Upstream>();

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

  startProbes(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.probeAll(), this.options.probeIntervalMs ?? 2000);
    this.timer.unref();
    void this.probeAll();
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
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
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
    this.options.onHealth?.({type: 'health', time: this.now, route: this.options.route, target: u.target.url, healthy, ...(error ? {error} : {})});
  }
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
