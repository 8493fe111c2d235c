import type {KeptCapture} from './capture.js';

/** One proxied request (or WebSocket session), emitted when it ends. Sent as NDJSON by the control API. */
export interface RequestEvent {
  type: 'request';
  /** Unique within one daemon run, increasing within each process (with `up --workers`, the processes interleave theirs). */
  id: number;
  /** Start time, epoch milliseconds. */
  time: number;
  method: string;
  host: string;
  /** Path and query as the client sent it. */
  path: string;
  /** Response status; 0 when the client went away before a response started. */
  status: number;
  /** Milliseconds from request start to end of response. */
  duration: number;
  /** Response body bytes sent to the client. */
  bytes: number;
  /** The target URL that served it, when one was chosen. */
  target?: string;
  /** Route key (`host` or `host/path`) that matched, when one did. */
  route?: string;
  protocol: 'h1' | 'h2' | 'ws';
  /** Short error text when the request failed (`ECONNREFUSED`, `timeout`, ...). */
  error?: string;
  /** True when the exchange was captured (bodies, timing, attempts): `GET /exchanges/:id` serves it. */
  captured?: boolean;
  /** Request and response headers: present only while a detail-capable viewer is attached. */
  requestHeaders?: Record<string, string | string[]>;
  responseHeaders?: Record<string, string | string[]>;
  /** Each try at a backend, when there was more than one (retries, the other loopback family). */
  attempts?: Array<{target: string; at: number; error?: string}>;
  /** What the route's passes did (`cache: hit`, `injected: 503`...). */
  notes?: string[];
  /** The worker process that served it (`up --workers`); absent when the daemon itself did. */
  worker?: number;
}

/** A target went up or down (passive failure, or the active probe). */
export interface HealthEvent {
  type: 'health';
  time: number;
  route: string;
  target: string;
  healthy: boolean;
  error?: string;
}

export type TrafficEvent = RequestEvent | HealthEvent;

/** Where the proxy sends events. Must be cheap: called on the request path. */
export interface TrafficSink {
  /** False when nobody listens: the proxy then skips building the event at all. */
  readonly active: boolean;
  /** True when a viewer wants headers in events (the dashboard's detail view). */
  readonly wantsHeaders: boolean;
  /** True while a viewer wants exchanges captured (bodies, timing, attempts): the dashboard. */
  readonly wantsCapture?: boolean;
  emit(event: TrafficEvent): void;
  /** Keep one exchange's capture; called before its event is emitted, only while wantsCapture. */
  capture?(capture: KeptCapture): void;
}
