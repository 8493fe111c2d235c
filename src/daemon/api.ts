import {ExitCode, InputError} from '../errors.js';
import type {ExchangeCapture} from '../traffic/capture.js';
import type {Route} from '../routes/types.js';
import {
  BodyError,
  addRouteBody,
  cacheClearBody,
  noBody,
  probedStatusBody,
  projectRoutesBody,
  removeRouteBody,
  useCopyBody,
  type BodyCheck,
} from './api-checks.js';
import type {
  AddRouteRequest,
  AddRouteResult,
  CacheClearRequest,
  CacheClearResult,
  ExchangeIdRequest,
  ProbedStatusRequest,
  ProjectResult,
  ProjectRoutesRequest,
  RemoveRouteRequest,
  RemoveRouteResult,
  ReplayResult,
  Status,
  UseCopyRequest,
  UseCopyResult,
} from './protocol.js';

/**
 * One endpoint of the control API. `Req` is what a handler receives and a client sends, `Res` what
 * it answers; both are carried by the table entry, so the daemon (control.ts, handlers.ts) and the
 * client (client.ts) cannot disagree on them.
 */
export interface Endpoint<Req, Res> {
  readonly method: 'GET' | 'POST';
  /** The path; `:id` stands for the request's `id`. */
  readonly path: string;
  /** Reads the request from the body and URL; throws a UserError naming the endpoint when it has the wrong shape. */
  readonly read: (body: unknown, url: URL) => Req;
  /** Served at once (reads, or waits on the network) instead of in turn with route changes. */
  readonly concurrent: boolean;
  /** Carries the response type; never set. */
  readonly response?: Res;
}

function endpoint<Req, Res>(method: 'GET' | 'POST', path: string, body: BodyCheck<Req>, concurrent = false): Endpoint<Req, Res> {
  const read = (value: unknown) => {
    try {
      return body(value);
    } catch (error) {
      if (error instanceof BodyError) throw new InputError(`Invalid request body for ${method} ${path}: ${error.message}.`, {exit: ExitCode.usage});
      throw error;
    }
  };
  return {method, path, read, concurrent};
}

/** An endpoint on one captured exchange: the id comes from the path (`/exchanges/12`). */
function byId<Res>(method: 'GET' | 'POST', path: string): Endpoint<ExchangeIdRequest, Res> {
  const {read} = endpoint(method, path, noBody);
  return {method, path, concurrent: true, read: (body, url) => (read(body, url), {id: idOf(url)})};
}

/**
 * The control API spoken over portico.sock. `GET /events` (the NDJSON stream of traffic events the
 * dashboard and `logs` follow) is not in the table: it streams instead of answering once, see
 * control.ts and client.ts `streamEvents`.
 */
export const CONTROL_API = {
  status: endpoint<void, Status>('GET', '/status', noBody),
  /**
   * The status after probing the targets of routes without traffic (routes in use are probed as they
   * go), unless probed within `maxAgeMs` (default 0): `ls` and the dashboard show real health.
   */
  probedStatus: endpoint<ProbedStatusRequest, Status>('POST', '/status/probe', probedStatusBody, true),
  routes: endpoint<void, Route[]>('GET', '/routes', noBody),
  addRoute: endpoint<AddRouteRequest, AddRouteResult>('POST', '/routes/add', addRouteBody),
  removeRoute: endpoint<RemoveRouteRequest, RemoveRouteResult>('POST', '/routes/remove', removeRouteBody),
  /** A project's routes (`portico.json`) replace its earlier ones. */
  projectRoutes: endpoint<ProjectRoutesRequest, ProjectResult>('POST', '/routes/project', projectRoutesBody),
  clearCache: endpoint<CacheClearRequest, CacheClearResult>('POST', '/cache/clear', cacheClearBody),
  /** Which copy of an app its stable host serves by default (`portico use`, README "Copies of an app"). */
  useCopy: endpoint<UseCopyRequest, UseCopyResult>('POST', '/copies/use', useCopyBody),
  /** What is captured, oldest first (capture is on while a dashboard follows the events). */
  exchanges: endpoint<void, ExchangeCapture[]>('GET', '/exchanges', noBody, true),
  /** One captured exchange; a UserError (exit 4) when it was not captured or was evicted. */
  exchange: byId<ExchangeCapture>('GET', '/exchanges/:id'),
  /** Sends a request again through the proxy (a new event). */
  replay: byId<ReplayResult>('POST', '/replay/:id'),
  /** The daemon drains (<= 5 s) and exits. */
  shutdown: endpoint<void, {ok: true}>('POST', '/shutdown', noBody),
};

export type ControlApi = typeof CONTROL_API;
export type EndpointName = keyof ControlApi;
export type RequestOf<N extends EndpointName> = ControlApi[N] extends Endpoint<infer Req, unknown> ? Req : never;
export type ResponseOf<N extends EndpointName> = ControlApi[N] extends Endpoint<unknown, infer Res> ? Res : never;

/** The daemon's side: one handler per endpoint. */
export type ControlHandlers = {[N in EndpointName]: (request: RequestOf<N>) => ResponseOf<N> | Promise<ResponseOf<N>>};

/** The endpoint a request line names (`GET /exchanges/12` is `exchange`). */
export function endpointFor(method: string, pathname: string): EndpointName | undefined {
  const withId = pathname.replace(/\/[^/]+$/, '/:id');
  const names = Object.keys(CONTROL_API) as EndpointName[];
  return (
    names.find((n) => CONTROL_API[n].method === method && CONTROL_API[n].path === pathname) ??
    names.find((n) => CONTROL_API[n].method === method && CONTROL_API[n].path === withId)
  );
}

/** The path a client sends a request to: `:id` filled from the request. */
export function pathFor(endpoint: Endpoint<unknown, unknown>, request: unknown): string {
  if (!endpoint.path.includes(':id')) return endpoint.path;
  return endpoint.path.replace(':id', String((request as ExchangeIdRequest).id));
}

/** The numeric id at the end of a control URL (`/exchanges/12`). */
function idOf(url: URL): number {
  const text = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id))
    throw new InputError(`Invalid request id \`${decodeURIComponent(text)}\`: expected a number from \`portico logs\`.`);
  return id;
}
