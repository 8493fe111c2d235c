/**
 * The control API spoken over portico.sock: HTTP + JSON, never a TCP port.
 *
 *   GET  /status                 -> Status
 *   GET  /routes                 -> Route[]
 *   POST /routes/add             AddRouteRequest    -> {route: Route, created: boolean, notices: string[]}
 *   POST /routes/remove          RemoveRouteRequest -> {removed: Route | null, route?: Route}
 *   POST /routes/project         ProjectRoutesRequest -> {routes: Route[], replaced, removed} (ProjectResult)
 *   POST /cache/clear            CacheClearRequest  -> CacheClearResult
 *   GET  /events[?history=N][&headers=1][&capture=1]  -> NDJSON stream of TrafficEvent: recent history, then live;
 *                                capture=1 captures bodies, timing and attempts while the stream is open
 *   GET  /exchanges              -> ExchangeCapture[] (what is captured, oldest first)
 *   GET  /exchanges/:id          -> ExchangeCapture (404 when not captured or evicted)
 *   POST /replay/:id             -> ReplayResult; sends the request again through the proxy (a new event)
 *   POST /shutdown               -> {ok: true}; the daemon drains (<= 5 s) and exits
 *
 * Errors: a non-2xx status with {error: string, hint?: string}; 4xx carry a UserError message.
 */
import type {RouteStatus} from '../routes/status.js';
import type {Route, RouteOptions, Strategy} from '../routes/types.js';

export type {RouteStatus, TargetStatus} from '../routes/status.js';

export interface Status {
  version: string;
  pid: number;
  /** The HTTPS port the proxy listens on. */
  port: number;
  /** The port (80) redirecting plain http to https, when portico holds it. */
  httpPort?: number;
  /** Epoch ms. */
  startedAt: number;
  /** Path of the CA certificate (ca.pem). */
  ca: string;
  routes: RouteStatus[];
  /** Things the user should know (a corrupt routes.json moved aside, port fallback, ...). */
  notices: string[];
  /** The daemon's default wait for response headers, ms (`up --timeout`, PORTICO_TIMEOUT). */
  timeout?: number;
}

export interface AddRouteRequest {
  /** `host` or `host/path` as the user typed it; the daemon validates. */
  spec: string;
  /** Targets as the user typed them (`9090`, `host:port`, URL). */
  targets: string[];
  strategy?: Strategy;
  health?: string;
  stripPrefix?: boolean;
  /** Replace the route's targets instead of appending. */
  replace?: boolean;
  /** pid of a `portico run` owning these targets. */
  owner?: number;
  /** Front-door options to set; each key given replaces the route's, the others stay (all go with `replace`). */
  options?: RouteOptions;
  /** That `portico run`'s working directory: a route owned by another directory is refused unless `join`. */
  dir?: string;
  /** Join a route another directory owns (`portico run --join`). */
  join?: boolean;
}

export interface CacheClearRequest {
  /** `host[/path]` of one route; absent: every route's cache. */
  spec?: string;
}

export interface CacheClearResult {
  cleared: Array<{route: string; responses: number; bytes: number}>;
}

export interface RemoveRouteRequest {
  spec: string;
  /** Remove only these targets; the whole route when empty/absent. */
  targets?: string[];
}

export interface ProjectRoutesRequest {
  /** Absolute project directory; its earlier routes are replaced by `routes`. */
  project: string;
  routes: Array<Omit<Route, 'project'>>;
}

export interface ReplayResult {
  /** The id of the request replayed. */
  of: number;
  status: number;
  /** Response body bytes. */
  bytes: number;
  /** The request went out without headers/body because they were not captured. */
  partial?: string;
}

export interface ErrorBody {
  error: string;
  hint?: string;
  /** The exit code the CLI should end with (a UserError's `exit`). Default 1. */
  exit?: number;
}

/** The daemon.json file. */
export interface DaemonInfo {
  pid: number;
  version: string;
  port: number;
  socket: string;
  startedAt: number;
}
