import type {IncomingHttpHeaders} from 'node:http';
import type {Readable} from 'node:stream';
import type {Recording} from '../traffic/recording.js';
import type {ExchangeAttempt, ExchangeTiming} from '../traffic/timing.js';
import type {Pool} from '../balance/pool.js';
import type {CopySwitch, Route} from '../routes/types.js';

export type {ExchangeAttempt, ExchangeTiming} from '../traffic/timing.js';

/**
 * The contract between the request pipeline and its passes (ARCHITECTURE.md, "The way of a request"). The
 * pipeline owns listening, routing, forwarding (http-proxy-3) and writing to the client; features
 * such as caching, compression, header rules, limits, faults and capture are passes over one
 * Exchange, kept in ordered tables, each testable alone with plain objects.
 *
 * Order for one request: request passes (in table order) -> pick instance + forward -> response
 * passes (in table order) -> write to the client. A request pass that answers by itself calls
 * `respond`, so response passes (header rules, compression, capture) apply to portico's own answers too.
 */

/** A response as it flows through response passes: hop-by-hop headers already removed. */
export interface ExchangeResponse {
  status: number;
  /** Lower-case names; no hop-by-hop or HTTP/2-forbidden headers. */
  headers: IncomingHttpHeaders;
  /** The body; an empty stream for 204/304/HEAD. A pass that transforms it returns a new stream. */
  body: Readable;
  /** Trailers, filled when the body has ended (forwarded to clients that accept them). */
  trailers?: IncomingHttpHeaders;
  /** Who produced it: the backend, or portico itself (a page, the cache, an injected fault, a 429). */
  source: 'backend' | 'portico' | 'cache';
}

/** One request's journey through the proxy; passes read it and record what they did on it. */
export interface Exchange {
  readonly id: number;
  /** Epoch milliseconds. */
  readonly started: number;
  readonly method: string;
  /** Path and query as the client sent them. */
  readonly url: string;
  /** Request headers as received (lower-case names); request passes may edit them before forwarding. */
  readonly requestHeaders: IncomingHttpHeaders;
  /**
   * The client's request body as it streams to the backend. Passes may only observe it
   * (`on('data')`, `on('end')`): never read, pause or pipe it, or the upload would stall.
   */
  readonly requestBody: Readable;
  /** The routed host (lower-case, no port). */
  readonly host: string;
  /** The path and query that will be sent to the backend (after strip-prefix). */
  forwardPath: string;
  readonly entry: RouteEntry;
  readonly protocol: 'h1' | 'h2';
  /** The client's address (for rate limits and X-Forwarded-For). */
  readonly client: string;
  readonly attempts: ExchangeAttempt[];
  readonly timing: ExchangeTiming;
  /** What passes did, for the traffic view: `cache: hit`, `injected: 503`, `rate-limited`, ... */
  readonly notes: string[];
  /**
   * Credentials a pass found on this exchange (an Authorization value, a token): the traffic view,
   * capture and HAR show `[redacted]` wherever one appears (URL, headers). Optional for plain test objects.
   */
  readonly secrets?: string[];
  /** True while a viewer asked for exchanges to be captured (the dashboard): the capture pass records then. */
  readonly capturing: boolean;
  /** Set by the capture pass; the pipeline keeps what it recorded with the exchange's event. */
  recording?: Recording;
  /** Answer the request without the backend; response passes still run. */
  respond(response: ExchangeResponse): void;
  /** Reset the client connection (fault injection); nothing is sent. */
  drop(): void;
  /**
   * A WebSocket handshake (HTTP/1.1 Upgrade or RFC 8441 CONNECT): request passes run on it and may
   * refuse it; a pass that stores or transforms bodies (cache) leaves it alone. Optional for plain test objects.
   */
  readonly websocket?: boolean;
  /** Set when the stable host of a copied app chose a copy for this request (README "Copies of an app"). */
  readonly copy?: ServedCopy;
  /** True once the client went away: passes stop work for it. */
  readonly aborted: boolean;
  /**
   * Run `fn` once the exchange is over (last byte sent, or the client gone); `timing.end` and the
   * attempts are final by then. The pipeline always provides it; optional so tests may pass plain objects.
   */
  whenDone?(fn: () => void): void;
}

/** The copy of an app a stable host chose for one request. */
export interface ServedCopy {
  name: string;
  /** The first copy, whose routes sit on the stable host: its cookies keep their names there. */
  first: boolean;
  /** How the client chose it. */
  by: 'default' | 'header' | 'query' | 'cookie';
  /** The switch names in force (header, cookie, query), to keep them from the backend. */
  switch: CopySwitch;
}

/** Runs before forwarding. Returns 'answered' when it called `respond` or `drop`, else 'next'. */
export type RequestPass = (exchange: Exchange) => 'next' | 'answered' | Promise<'next' | 'answered'>;

/** Runs on every response before it is written; returns the response to pass on (possibly transformed). */
export type ResponsePass = (exchange: Exchange, response: ExchangeResponse) => ExchangeResponse | Promise<ExchangeResponse>;

/** A feature builds its passes from a route's options; undefined when the route does not use it. */
export interface PassFactory {
  /** Name shown in errors and the traffic view. */
  readonly name: string;
  /**
   * The feature keeps state across requests that one process must own (a cache, rate-limit buckets,
   * failure counts). A route it builds a pass for is served by the primary process only: workers
   * relay its requests there (README "Workers").
   */
  readonly shared?: boolean;
  request?(entry: RouteEntry): RequestPass | undefined;
  response?(entry: RouteEntry): ResponsePass | undefined;
}

/** A route ready to serve: its config, URL and the pool of its targets. */
export interface RouteEntry {
  readonly host: string;
  readonly path: string;
  readonly key: string;
  readonly route: Route;
  readonly pool: Pool;
  /** This route's request passes, built from the route's options by the features when the route was set (empty for a route without options). */
  readonly requestPasses: readonly RequestPass[];
  /** This route's response passes, in the features' order. */
  readonly responsePasses: readonly ResponsePass[];
  /** In a worker process: the route has a pass of a shared feature, so its requests go to the primary. */
  readonly relay?: boolean;
}
