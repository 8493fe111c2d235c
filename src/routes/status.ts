import type {RouteOwner} from './owner.js';
import type {RouteOptions, Strategy} from './types.js';

/** One target of a route with its live state (the `targets` items of `ls --json`). */
export interface TargetStatus {
  /** Canonical target URL, e.g. `http://localhost:9090`. */
  target: string;
  healthy: boolean;
  /** In-flight requests plus open WebSockets. */
  active: number;
  /** Requests served since the daemon started. */
  requests: number;
  /** Share of new requests against the route's other targets (default 1); 0: drained. */
  weight: number;
  /** Last error seen talking to it (`ECONNREFUSED`, ...), while unhealthy. */
  lastError?: string;
  /** pid of the `portico run` that owns it. */
  owner?: number;
}

/** A route with its URL and live target state (the `routes` items of `ls --json`). */
export interface RouteStatus {
  host: string;
  path: string;
  /** `https://host:port/path`, the URL to open. */
  url: string;
  strategy: Strategy;
  health?: string;
  stripPrefix: boolean;
  project?: string;
  /** Front-door options; absent: none. */
  options?: RouteOptions;
  /** Who the route belongs to (a project, a `portico run`, or added by hand); the daemon fills it in. */
  owner?: RouteOwner;
  /** Set when the route is one copy of an app (README "Copies of an app"). */
  copy?: CopyStatus;
  targets: TargetStatus[];
}

/** A copy route's place among its app's copies (the `copy` item of a route in `ls --json`). */
export interface CopyStatus {
  /** The copy's name, `fix-login`. */
  name: string;
  /** The stable host, `shop.localhost`. */
  stable: string;
  /** The copy's own URL, `https://fix-login.shop.localhost/`. */
  url: string;
  branch?: string;
  /** True when the stable host serves this copy to clients that choose none. */
  serving: boolean;
}
