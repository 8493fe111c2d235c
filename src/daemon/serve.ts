import type {CertProvider} from '../certs/types.js';
import type {PassFactory} from '../pipeline/exchange.js';
import {startProxy, type ProxyOptions, type RunningProxy} from '../proxy/index.js';
import type {Route} from '../routes/types.js';
import type {Transport} from '../transport/index.js';
import type {EventHub} from './hub.js';
import {DEFAULT_PORT, listenOnDefault} from './port.js';
import {listenRedirect80, type Redirector} from './redirect80.js';

export {DEFAULT_PORT, FALLBACK_PORT} from './port.js';

export interface ServeOptions {
  /** Exact HTTPS port; undefined means the last port, else 443, else 1443, else a free one (./port.ts). */
  port?: number;
  /** The port portico last ran on (PORTICO_HOME/last-port), tried first when no port is asked for. */
  lastPort?: number;
  /** Port for the plain-HTTP redirect to https. Default 80, and only when the HTTPS port is 443. */
  httpPort?: number;
  certs: CertProvider;
  routes: Route[];
  traffic: EventHub;
  /** Backend connections, shared by forwarding, WebSockets and health probes. */
  transport: Transport;
  /** The front-door features, in pass order, as the daemon composed them. */
  features: readonly PassFactory[];
  backendTimeout: number;
  log: (line: string) => void;
  /** With workers (README "Workers"): the processes' shared loop marker, exchange ids, hand-off, relay and health. */
  shared?: Pick<ProxyOptions, 'hop' | 'ids' | 'handoff' | 'relayListen' | 'ticketKeys' | 'healthShare'>;
}

export interface Serving {
  proxy: RunningProxy;
  /** The plain-HTTP redirect, or why port 80 could not be had; absent when not tried. */
  redirect80?: Redirector | {error: string};
  /** What the user should know about the ports (a fallback to 1443, no redirect on 80). */
  notices: string[];
}

/** The proxy on its port (the last one, 443, 1443 or a free one; or exactly the one asked for), and port 80 when 443 was had. */
export async function serve(options: ServeOptions): Promise<Serving> {
  const notices: string[] = [];
  const proxy = await listen(options, notices);
  if (proxy.port !== DEFAULT_PORT && options.httpPort === undefined) return {proxy, notices};
  // Holding 443 means this user may bind low ports: take 80 too, for addresses typed without https://.
  const redirect80 = await listenRedirect80(proxy.port, options.httpPort);
  if ('error' in redirect80) {
    notices.push(`Plain http://<name>.localhost/ does not redirect to https: ${redirect80.error.replace(/\.$/, '')}. Type https:// in the address bar.`);
    options.log(`port 80: ${redirect80.error}`);
  } else options.log(`redirecting http://*:${redirect80.port} to https`);
  return {proxy, redirect80, notices};
}

async function listen(options: ServeOptions, notices: string[]): Promise<RunningProxy> {
  const base = {
    certs: options.certs,
    routes: options.routes,
    traffic: options.traffic,
    transport: options.transport,
    features: options.features,
    backendTimeout: options.backendTimeout,
    ...options.shared,
  };
  const start = (port: number) => startProxy({...base, port});
  return options.port === undefined ? listenOnDefault(start, options.lastPort, notices) : start(options.port);
}
