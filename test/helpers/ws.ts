import type tls from 'node:tls';
import type WebSocket from 'ws';

/**
 * Options for a `ws` client reaching `host` through portico on 127.0.0.1, verified against `ca`.
 * ws hands these to tls.connect, which takes `servername`; @types/ws does not list it.
 */
export function wsOptions(host: string, ca: string | Buffer, extra: WebSocket.ClientOptions = {}): WebSocket.ClientOptions {
  const options: WebSocket.ClientOptions & Pick<tls.ConnectionOptions, 'servername'> = {
    ...extra,
    ca,
    servername: host.replace(/:\d+$/, ''),
    headers: {host, ...extra.headers},
  };
  return options;
}
