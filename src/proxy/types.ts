import type net from 'node:net';
import type {CertProvider} from '../certs/types.js';
import type {HealthShare} from '../balance/pool.js';
import type {PassFactory} from '../pipeline/exchange.js';
import type {RouteStatus} from '../routes/status.js';
import type {Route} from '../routes/types.js';
import type {TrafficSink} from '../traffic/event.js';
import type {Transport} from '../transport/index.js';
import type {SharedHealth} from './table.js';

export interface ProxyOptions {
  /** HTTPS port (the same port answers plain HTTP with a redirect). 0 picks a free port. */
  port: number;
  /** Addresses to bind. Default ['127.0.0.1', '::1'] (loopback only; ::1 skipped if the host has no IPv6). */
  hosts?: readonly string[];
  /** Certificates per hostname (SNI). */
  certs: CertProvider;
  /** Routes to serve at start; replaced live with setRoutes(). */
  routes?: readonly Route[];
  /**
   * The route features (front door) whose passes run on each request, in order; the composer builds
   * them (the daemon: src/frontdoor's list with its cache registry). Default: none.
   */
  features?: readonly PassFactory[];
  /** Where traffic and health events go. Default: nowhere. */
  traffic?: TrafficSink;
  /**
   * Backend connections (pools, address family memory) for forwarding, WebSockets and health probes.
   * Built by whoever composes the proxy (the daemon), which then closes it; without one the proxy
   * builds its own from maxBackendConnections/backendIdleMs and closes it with itself.
   */
  transport?: Transport;
  /**
   * Milliseconds to wait for a backend's response headers, counted from when the request body was fully
   * sent, before a 504. A route's own `options.timeout` wins. Default 30000.
   */
  backendTimeout?: number;
  /** Connections open at once to one backend address; more requests queue for a free one. Default 128. */
  maxBackendConnections?: number;
  /** Milliseconds a pooled backend connection may sit idle before portico closes it. Default 4000 (under Node's 5 s). */
  backendIdleMs?: number;
  /** Concurrent streams one HTTP/2 client connection may open (advertised in SETTINGS). Default 250. */
  maxConcurrentStreams?: number;
  /** Milliseconds of no activity after which an HTTP/2 connection is closed gracefully (0: never). Default 120000. */
  h2IdleTimeout?: number;
  /** Milliseconds for a backend to connect and answer a WebSocket handshake. Default 10000. */
  upgradeTimeout?: number;
  /**
   * Milliseconds an HTTP/1.1 client has to send complete request headers, counted from the TLS
   * handshake or the end of its previous response (slowloris guard, and the keep-alive idle limit).
   * Default 20000.
   */
  headersTimeout?: number;
  /**
   * This proxy's loop marker (HOP_HEADER). Default: random. Processes of one proxy (README "Workers")
   * share one, so a request that comes back through any of them is a loop.
   */
  hop?: string;
  /** Exchange ids: the first and the step between two (processes of one proxy interleave theirs). Default 1 and 1. */
  ids?: {first: number; step: number};
  /** May take a new connection before it is read, to give it to a worker process (listen.ts). */
  handoff?: (socket: net.Socket) => boolean;
  /**
   * A worker's way to the primary (README "Workers"): routes whose features hold state one process
   * must own (a cache, rate-limit buckets, the access gate's failure counts) are relayed to it over
   * this unix socket, with `secret` to show the request comes from a worker.
   */
  relayTo?: {socket: string; secret: string};
  /** TLS session ticket keys (48 bytes) shared by the processes of one proxy, so a client resumes its session on any of them. */
  ticketKeys?: Buffer;
  /** The primary's end of the relay: a unix socket (0600) on which workers' relayed requests come in. */
  relayListen?: {socket: string; secret: string};
  /** With workers: the primary owns the targets' health, a worker follows it (balance/pool.ts, README "Workers"). */
  healthShare?: HealthShare;
}

export interface RunningProxy {
  /** The bound HTTPS port (the real one when 0 was asked). */
  readonly port: number;
  /** Replace the route table live: no listener restart, open connections and in-flight requests continue. */
  /** `uses`: stable host -> the copy `portico use` chose (README "Copies of an app"). */
  setRoutes(routes: readonly Route[], uses?: ReadonlyMap<string, string>): void;
  /** Routes with live target state, for `ls` and the dashboard. */
  status(): RouteStatus[];
  /**
   * Probe the targets of routes without traffic now, unless probed within `maxAgeMs` (default 0: always);
   * routes with traffic are probed as they go. Then status() shows real health.
   */
  probeIdle(maxAgeMs?: number): Promise<void>;
  /** The targets' one health across processes (README "Workers"): the owner's and the followers' ends. */
  readonly health: SharedHealth;
  /** Serve a connection accepted elsewhere (a worker gets its connections from the primary). */
  accept(socket: net.Socket): void;
  /** Stop accepting, let in-flight requests finish for up to `graceMs` (default 5000), then close everything. */
  close(graceMs?: number): Promise<void>;
}
