import type {CertProvider} from '../certs/types.js';
import {UserError} from '../errors.js';
import type {PassFactory} from '../pipeline/exchange.js';
import {startProxy, type RunningProxy} from '../proxy/index.js';
import type {Route} from '../routes/types.js';
import type {Transport} from '../transport/index.js';
import type {EventHub} from './hub.js';
import {listenRedirect80, type Redirector} from './redirect80.js';

export const DEFAULT_PORT = 443;
export const FALLBACK_PORT = 1443;

export interface ServeOptions {
  /** Exact HTTPS port; undefined means 443 when it can be bound, else 1443. */
  port?: number;
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
}

export interface Serving {
  proxy: RunningProxy;
  /** The plain-HTTP redirect, or why port 80 could not be had; absent when not tried. */
  redirect80?: Redirector | {error: string};
  /** What the user should know about the ports (a fallback to 1443, no redirect on 80). */
  notices: string[];
}

/** The proxy on its port (443, else 1443, or exactly the one asked for), and port 80 when 443 was had. */
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
  const base = {certs: options.certs, routes: options.routes, traffic: options.traffic, transport: options.transport, features: options.features, backendTimeout: options.backendTimeout};
  if (options.port !== undefined) return startProxy({...base, port: options.port});
  try {
    return await startProxy({...base, port: DEFAULT_PORT});
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const proxy = await startProxy({...base, port: FALLBACK_PORT});
    const inUse = /in use/.test(error.message);
    const how = inUse
      ? 'For 443, stop the program that holds it, then `portico down && portico up`.'
      : "For 443: `sudo setcap 'cap_net_bind_service=+ep' $(command -v node)` or `sudo sysctl net.ipv4.ip_unprivileged_port_start=443` (or `sudo portico up`), then `portico down && portico up`.";
    notices.push(
      `portico is serving on port ${FALLBACK_PORT} because ${inUse ? 'port 443 is in use by another program' : 'this user may not bind port 443'}: ` +
        `open https://<name>.localhost:${FALLBACK_PORT}/ (e.g. https://app.localhost:${FALLBACK_PORT}/). ${how}`,
    );
    return proxy;
  }
}
