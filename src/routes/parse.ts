import {isIP} from 'node:net';
import {InputError} from '../errors.js';
import {normalizeHost} from './name.js';
import {isHealthPath, normalizeRoutePath} from './path.js';
import {STRATEGIES, type Strategy, type Target} from './types.js';

/** Parse `app.localhost/api` (an optional `https://` in front is tolerated) into host and path; `domains` are the added suffixes. */
export function parseRouteSpec(input: string, domains: readonly string[] = []): {host: string; path: string} {
  const spec = input.trim().replace(/^https?:\/\//i, '');
  const slash = spec.indexOf('/');
  const hostPart = slash === -1 ? spec : spec.slice(0, slash);
  const pathPart = slash === -1 ? '/' : spec.slice(slash);
  if (/:\d*$/.test(hostPart)) {
    throw new InputError(`Invalid name \`${input}\`: leave the port out; portico serves every name on its own port.`);
  }
  return {host: normalizeHost(hostPart, domains), path: normalizeRoutePath(pathPart, input)};
}

function parsePort(text: string, input: string): number {
  if (!/^\d+$/.test(text)) throw new InputError(`Invalid target \`${input}\`: expected a port, host:port or URL.`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new InputError(`Invalid target \`${input}\`: port ${text} is outside 1-65535.`);
  return port;
}

/** Hosts that mean "this machine" and are dialled on both loopback families. */
const LOCALHOST = new Set(['localhost', 'localhost.']);

/**
 * Parse a target as a user writes it: `9090`, `localhost:9090`, `127.0.0.1:9090`, `[::1]:9090`,
 * `http://host:port`, `https://host:port`.
 */
export function parseTarget(input: string | number): Target {
  const text = String(input).trim();
  if (/^\d+$/.test(text)) return makeTarget('http:', 'localhost', parsePort(text, text));
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  // Checked before URL parsing, which rejects 99999 with no word about the port.
  const portText = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]*\]|[^/:@]*):(\d+)\/?$/i.exec(withScheme)?.[1];
  if (portText !== undefined) parsePort(portText, text);
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InputError(`Invalid target \`${text}\`: expected a port, host:port or URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`Invalid target \`${text}\`: scheme \`${url.protocol.slice(0, -1)}\` is not http or https.`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new InputError(`Invalid target \`${text}\`: expected only scheme, host and port (no path, query or credentials).`);
  }
  if (portText === undefined && url.port === '') {
    if (/^[a-z]+:\/\//i.test(text)) return makeTarget(url.protocol, url.hostname, url.protocol === 'https:' ? 443 : 80);
    throw new InputError(`Invalid target \`${text}\`: expected a port, host:port or URL.`);
  }
  return makeTarget(url.protocol, url.hostname, parsePort(portText ?? url.port, text));
}

/** A target's host: an IP address or a DNS name (`_` allowed, as container names have it). */
const TARGET_HOST = /^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?\.?$/;

function makeTarget(protocol: 'http:' | 'https:', hostname: string, port: number): Target {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  // The URL parser lets `;`, `{`, quotes and `$` through in a host; they would reach exported configs.
  if (!isIP(host) && !TARGET_HOST.test(host)) {
    throw new InputError(
      `Invalid target host \`${JSON.stringify(hostname).slice(1, -1)}\`: expected an IP address or a DNS name (letters, digits, \`-\`, \`_\` and dots).`,
    );
  }
  const dial = LOCALHOST.has(host) ? ['127.0.0.1', '::1'] : [host];
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  return {url: `${protocol}//${shown}:${port}`, protocol, hostname: host, port, dial};
}

/** The largest weight: nginx and Caddy take far more, but past this a dev machine's split is noise. */
export const MAX_WEIGHT = 1000;

/** A target with its weight, as `add` takes it: `9090=3`, `localhost:9091=1`, `9092=0` (drain). */
export interface WeightedTarget {
  target: Target;
  /** Absent when the user gave none (1). */
  weight?: number;
}

/** Parse `TARGET[=WEIGHT]`; a target never holds `=` (no query strings), so the last `=` splits. */
export function parseWeightedTarget(input: string | number): WeightedTarget {
  const text = String(input).trim();
  const at = text.lastIndexOf('=');
  if (at === -1) return {target: parseTarget(text)};
  return {target: parseTarget(text.slice(0, at)), weight: parseWeight(text.slice(at + 1), text)};
}

/** The `add` form of a persisted target, its weight kept: `http://localhost:9090=3`. */
export function weightedTargetSpec(t: {url: string; weight?: number}): string {
  return t.weight === undefined || t.weight === 1 ? t.url : `${t.url}=${t.weight}`;
}

/** A weight: a whole number 0..MAX_WEIGHT (0 drains the target). */
export function parseWeight(value: unknown, input: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_WEIGHT) {
    throw new InputError(`Invalid weight in \`${input}\`: expected a whole number from 0 (drain) to ${MAX_WEIGHT}, like \`9090=3\`.`);
  }
  return n;
}

export function parseStrategy(input: string): Strategy {
  if ((STRATEGIES as readonly string[]).includes(input)) return input as Strategy;
  throw new InputError(`Invalid strategy \`${input}\`: expected one of ${STRATEGIES.join(', ')}.`);
}

/** A health-check path: must start with `/`. */
export function parseHealthPath(input: string): string {
  if (!isHealthPath(input)) {
    throw new InputError(
      `Invalid health path \`${JSON.stringify(input).slice(1, -1)}\`: expected a path starting with \`/\`, like \`/healthz\` (letters, digits, \`-._~!+,=:@\`, %XX escapes, and \`&/\` in a query).`,
    );
  }
  return input;
}
