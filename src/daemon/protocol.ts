/**
 * The data spoken over portico.sock (HTTP + JSON, never a TCP port). Which endpoint takes and
 * answers which of these is the table in api.ts; errors are a non-2xx status with an ErrorBody.
 */
import type {RouteStatus} from '../routes/status.js';
import type {Route, RouteCopy, RouteOptions, Strategy} from '../routes/types.js';

/** The largest control request body the daemon reads (1 MiB); the client checks it before sending. */
export const MAX_CONTROL_BODY = 1024 * 1024;

/** The sentence for a control request over MAX_CONTROL_BODY, said by the client before sending and by the daemon (413) alike. */
export function controlBodyTooLarge(method: string, path: string, bytes: number | undefined, outcome: 'was not sent' | 'was refused'): string {
  const size = bytes === undefined ? '' : ` (${(bytes / 1024 / 1024).toFixed(1)} MiB)`;
  return `The request to the portico daemon is larger than ${MAX_CONTROL_BODY / 1024 / 1024} MiB: ${method} ${path}${size} ${outcome}.`;
}

/** What to do about it: every such body comes from the user's own input, mostly a project file's routes. */
export const CONTROL_BODY_HINT = 'Make the input smaller: fewer or shorter routes, header rules and targets in portico.json (or on the command line).';

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
  /** Processes serving connections (`up --workers`): the daemon and its workers. Absent: 1. */
  workers?: number;
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
  /** The working directory of that `portico run`, or of `add`: a route another directory owns is refused unless `join` (or, for `add`, `replace`). */
  dir?: string;
  /** Join a route another directory owns (`portico run --join`, `portico add --join`). */
  join?: boolean;
  /** The route is one copy of an app (`portico run` in a worktree or clone): README "Copies of an app". */
  copy?: RouteCopy;
}

/** POST /copies/use: which copy the stable host serves by default (`portico use`). */
export interface UseCopyRequest {
  /** The copy's name (`fix-login`), or its address (`fix-login.shop.localhost`). */
  copy: string;
  /** The stable host (`shop.localhost`) when the name alone is ambiguous. */
  app?: string;
}

export interface UseCopyResult {
  /** The stable host, e.g. `shop.localhost`. */
  stable: string;
  copy: string;
  /** The copy's own URL and the stable URL. */
  url: string;
  stableUrl: string;
}

/** POST /status/probe: how old a probe of an idle route may be and still count (ms, default 0: probe now). */
export interface ProbedStatusRequest {
  maxAgeMs?: number;
}

export interface CacheClearRequest {
  /** `host[/path]` of one route; absent: every route's cache. */
  spec?: string;
}

export interface CacheClearResult {
  cleared: Array<{route: string; responses: number; bytes: number}>;
}

export interface AddRouteResult {
  route: Route;
  /** False when an existing route was updated. */
  created: boolean;
  /** What the user should know (the route changed owner, a `run` joined a route added by hand). */
  notices: string[];
}

export interface RemoveRouteRequest {
  spec: string;
  /** Remove only these targets; the whole route when empty/absent. */
  targets?: string[];
}

export interface RemoveRouteResult {
  /** The route, or only the targets, that went. */
  removed: Route;
  /** What is left of the route when only some targets went. */
  route?: Route;
}

export interface ProjectRoutesRequest {
  /** Absolute project directory; its earlier routes are replaced by `routes`. */
  project: string;
  routes: Array<Omit<Route, 'project'>>;
}

/** What `up` reports about a project's routes. */
export interface ProjectResult {
  routes: Route[];
  /** Routes of the same name that belonged to someone else (by hand, another project, a `run`), now the project's. */
  replaced: Array<{route: string; owner: string; targets: string[]}>;
  /** The project's earlier routes it no longer declares, now gone. */
  removed: string[];
}

/** A request that names one captured exchange by the id `portico logs` shows. */
export interface ExchangeIdRequest {
  id: number;
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
