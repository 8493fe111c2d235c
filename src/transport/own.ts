import net from 'node:net';
import {parseTarget} from '../routes/parse.js';
import type {Target} from '../routes/types.js';

/** Every spelling that reaches this machine's loopback listener, where portico listens. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '0.0.0.0' || host === '::' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  // IPv4-mapped IPv6 (::ffff:127.0.0.1)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  return mapped ? mapped[1]!.startsWith('127.') : false;
}

/**
 * True when `target` is portico's own listener on `port` (http or https: the port answers both), so a
 * route to it would send every request back through portico. `target` is a parsed Target or anything
 * `portico add` accepts (`1443`, `localhost:1443`, `https://127.0.0.1:1443`); an unparsable one is not ours.
 */
export function isOwnAddress(target: Target | string, port: number): boolean {
  let parsed: Target;
  try {
    parsed = typeof target === 'string' ? parseTarget(target) : target;
  } catch {
    return false;
  }
  return parsed.port === port && isLoopbackHost(parsed.hostname);
}
