import type {Route, RouteOptions, Strategy} from '../routes/types.js';

/** The engines `portico export` writes for. */
export type ExportKind = 'caddy' | 'nginx' | 'gateway' | 'ingress';

export const EXPORT_KINDS: readonly ExportKind[] = ['caddy', 'nginx', 'gateway', 'ingress'];

/** One production backend: where a route's requests go once it leaves this machine. */
export interface Upstream {
  protocol: 'http:' | 'https:';
  /** Host name or address as the user gave it (`api`, `10.0.0.5`, `::1` without brackets). */
  hostname: string;
  port: number;
  /** The local target's weight (README "Weights"); absent: 1. */
  weight?: number;
}

/** A route as it will exist in production: public name, path, upstreams and what to do on the way. */
export interface ExportRoute {
  /** `host[/path]` of the local route, for messages: `app.localhost/api`. */
  key: string;
  /** Unique identifier for config names (upstream, matcher): `app_api`. */
  id: string;
  /** The public host: `app.example.com`. */
  host: string;
  /** `/` or a prefix without trailing slash, as in Route.path. */
  path: string;
  upstreams: Upstream[];
  /** True when `upstreams` came from --backend or the deploy section, false when they are the local targets. */
  mapped: boolean;
  strategy: Strategy;
  health?: string;
  stripPrefix: boolean;
  options: RouteOptions;
}

/**
 * Something a target cannot express as portico does. It becomes a comment next to the route in the
 * output and a warning on stderr; with --strict, an error.
 */
export interface Note {
  /** `host[/path]` of the route. */
  route: string;
  /** What is lost, in a few words: `fault injection (--fail)`. */
  feature: string;
  /** What the output does instead, or what the user should do. */
  detail: string;
  /** `lost`: portico's behaviour is not kept (an error with --strict); `info`: kept, but worth a look. */
  severity: 'lost' | 'info';
}

/** What the renderers need besides the routes. */
export interface RenderOptions {
  /**
   * Listen address for every site (`127.0.0.1:8080`): plain HTTP (behind a TLS terminator, or for
   * tests), HTTPS with tlsCert; absent: HTTPS on 443 with a redirect from 80.
   */
  listen?: {host?: string; port: number};
  /** Certificate and key files (nginx `ssl_certificate`, Caddy `tls`); absent: nginx gets commented placeholders, Caddy automatic HTTPS. */
  tlsCert?: string;
  tlsKey?: string;
  /** Kubernetes: namespace of every object; absent: none written (kubectl's current one). */
  namespace?: string;
  /** Kubernetes: the pod label Services select on. Default `app.kubernetes.io/name`. */
  selectorLabel: string;
  /** Gateway API: the Gateway the HTTPRoutes attach to. Default `gateway`. */
  gateway: string;
  /** Ingress: spec.ingressClassName; absent: the cluster default. */
  ingressClass?: string;
  /** Kubernetes: Secret holding the TLS certificate; absent: no TLS section. */
  tlsSecret?: string;
}

/** A rendered export: the file text and the notes written into it. */
export interface Rendered {
  text: string;
  notes: Note[];
}

export type {Route};
