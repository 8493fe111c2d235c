/** How a route spreads requests over its targets (DESIGN.md "Strategies"). */
export type Strategy = 'round-robin' | 'least-conn' | 'random' | 'first' | 'sticky';

export const STRATEGIES: readonly Strategy[] = ['round-robin', 'least-conn', 'random', 'first', 'sticky'];

/** One backend of a route, as persisted in routes.json. */
export interface RouteTarget {
  /** Canonical target URL: `http://localhost:9090`, `https://127.0.0.1:8443`. */
  url: string;
  /** pid of the `portico run` that owns this instance; the daemon drops the target when that process is gone. */
  owner?: number;
  /** Working directory of that `portico run`: two directories never share a name silently. */
  dir?: string;
  /** Share of new requests against the route's other targets; absent means 1, 0 drains it (README "Weights"). */
  weight?: number;
}

/** A route as persisted in routes.json and sent over the control API: plain data. */
export interface Route {
  /** Lower-case ASCII (punycode) host: `localhost` or a name under `.localhost`. */
  host: string;
  /** `/` or a prefix without trailing slash: `/api`. */
  path: string;
  targets: RouteTarget[];
  /** Default `round-robin`. */
  strategy: Strategy;
  /** Active health check path (`/healthz`); absent means a TCP connect probe. */
  health?: string;
  /** Remove `path` from the request path before forwarding. Default false. */
  stripPrefix: boolean;
  /** Absolute directory of the project whose portico.json declared the route, if any. */
  project?: string;
  /** Per-route options (timeouts, cache, compression, header rules, limits, faults); absent: none. */
  options?: RouteOptions;
  /** Set when the route is one copy of an app (a git worktree, a clone): README "Copies of an app". */
  copy?: RouteCopy;
}

/**
 * One copy of an app. The first directory's route sits on the stable name itself (`shop.localhost`,
 * no `of`); every other copy's route is `<name>.<stable>` with `of` naming the stable host. The first
 * copy also answers at `<name>.<stable>`.
 */
export interface RouteCopy {
  /** The copy's DNS label, from its branch or directory: `fix-login`. */
  name: string;
  /** The stable host this copy belongs to (`shop.localhost`); absent on the route that is the stable host. */
  of?: string;
  /** The git branch (or `HEAD at <sha>`), as shown by `ls`. */
  branch?: string;
  /** How clients switch copies on the stable name (portico.json `copies`); absent: the defaults. */
  switch?: CopySwitch;
}

/** The names a client uses to pick a copy on the stable host (README "Copies of an app"). */
export interface CopySwitch {
  /** Request header, lower-case. Default `x-portico-copy`. */
  header: string;
  /** Cookie portico sets on the stable host. Default `portico-copy`. */
  cookie: string;
  /** Query parameter of a first request. Default `portico-copy`. */
  query: string;
}

export const DEFAULT_COPY_SWITCH: CopySwitch = {header: 'x-portico-copy', cookie: 'portico-copy', query: 'portico-copy'};

/** A parsed target, ready to dial. */
export interface Target {
  /** Canonical URL, as in RouteTarget.url. */
  url: string;
  protocol: 'http:' | 'https:';
  /** Host as written (`localhost`, `127.0.0.1`, `::1`, `web.internal`). */
  hostname: string;
  port: number;
  /**
   * Addresses to dial, in order. `localhost` (and a bare port) dials both loopback families,
   * because Vite on Node >= 17 listens on ::1 only while other servers take 127.0.0.1 only.
   */
  dial: string[];
}

/** `host` + `path` identify a route. */
export function routeKey(route: Pick<Route, 'host' | 'path'>): string {
  return route.path === '/' ? route.host : `${route.host}${route.path}`;
}

/**
 * Per-route options beyond routing (DESIGN.md "Per-route options"). Every field is opt-in: absent
 * means off. Shared by `add` flags, portico.json, routes.json, the control API and `ls --json`.
 */
export interface RouteOptions {
  /** Milliseconds to wait for response headers, counted from the end of the request body. Default: the daemon's. */
  timeout?: number;
  /** In-memory HTTP cache (RFC 9111, shared-cache rules) bounded to this many bytes. */
  cache?: {maxBytes: number};
  /** Compress responses the client accepts (gzip, br, zstd where Node has it). */
  compress?: boolean;
  /** Set (`value` present) or remove (`value` absent) request headers before forwarding. */
  requestHeaders?: HeaderRule[];
  /** Set or remove response headers before they reach the client. */
  responseHeaders?: HeaderRule[];
  /** Answer CORS preflights and add CORS headers; `['*']` allows any origin. */
  cors?: {origins: string[]};
  /** Token bucket per client address: `perSecond` refill, `burst` capacity. */
  rateLimit?: {perSecond: number; burst: number};
  /** Injected latency before the backend, uniformly between min and max milliseconds. */
  delay?: {minMs: number; maxMs: number};
  /** Answer this fraction (0..1) of requests with `status` without reaching the backend. */
  fail?: {rate: number; status: number};
  /** Reset the client connection for this fraction (0..1) of requests. */
  drop?: {rate: number};
  /** Refuse request bodies over this many bytes with 413. */
  maxBody?: number;
  /**
   * An access gate (README "Access gate"): Basic credentials or a token, checked before anything
   * reaches the backend. Only hashes are kept. `null` in an `add` request turns it off.
   */
  auth?: AuthOption | null;
}

/** How a gated route checks a client; only hashes, never a password or token in clear. */
export type AuthOption =
  /** HTTP Basic: `hash` is `scrypt$N$r$p$SALT$KEY` (base64url), from node:crypto. */
  | {kind: 'basic'; user: string; hash: string}
  /** A random token kept in a cookie: `hash` is its SHA-256 (base64url); a 256-bit token needs no slow hash. */
  | {kind: 'token'; hash: string};

/** One header rule: `X-Frame-Options: DENY` sets, `-Server` removes. */
export interface HeaderRule {
  /** Lower-case header name. */
  name: string;
  /** The value to set; absent removes the header. */
  value?: string;
}
