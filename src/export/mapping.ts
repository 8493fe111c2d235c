import {domainToASCII} from 'node:url';
import {InputError, UserError, isUserError} from '../errors.js';
import {domainOf, isLocalhostName} from '../routes/name.js';
import {parseRouteSpec, parseTarget} from '../routes/parse.js';
import {routeKey, type Route} from '../routes/types.js';
import type {ExportRoute, Upstream} from './types.js';

/** Where local routes and targets go in production, from --backend flags and the deploy section. */
export interface BackendMap {
  /** By route key (`app.localhost/api`): every target of that route. */
  routes: Map<string, Upstream[]>;
  /** By local target URL (`http://localhost:9090`): that target wherever it appears. */
  targets: Map<string, Upstream[]>;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** `--domain example.com`: a DNS name without scheme, port or path, not under .localhost. */
export function parseDomain(input: string): string {
  const ascii = domainToASCII(input.trim().replace(/\.$/, '').toLowerCase());
  const labels = ascii.split('.');
  if (ascii === '' || ascii.length > 253 || !labels.every((label) => LABEL.test(label))) {
    throw new InputError(`Invalid --domain \`${input}\`: expected a DNS name like \`example.com\` (no scheme, port or path).`);
  }
  if (ascii === 'localhost' || ascii.endsWith('.localhost')) {
    throw new InputError(`Invalid --domain \`${input}\`: the export is for a public name; \`.localhost\` is what it replaces.`);
  }
  return ascii;
}

/**
 * `app.localhost` -> `app.example.com`; `localhost` -> `example.com`; a name under an added dev
 * domain (`app.dev.example.test`, `domains` holding `dev.example.test`) likewise; no domain: unchanged.
 */
export function mapHost(host: string, domain: string | undefined, domains: readonly string[] = []): string {
  if (domain === undefined) return host;
  const local = isLocalhostName(host) ? 'localhost' : domainOf(host, domains);
  if (local === undefined) return host;
  if (host === local) return domain;
  return `${host.slice(0, -(local.length + 1))}.${domain}`;
}

/** `http://api:8080` (or `api:8080`, `https://api`): one production upstream. */
export function parseUpstream(input: string): Upstream {
  const target = parseTarget(input);
  return {protocol: target.protocol, hostname: target.hostname, port: target.port};
}

/** Parse one `--backend KEY=URL[,URL...]`, KEY a route (`app.localhost/api`) or a local target (`9090`). */
export function parseBackend(input: string, into: BackendMap = emptyBackendMap(), domains: readonly string[] = []): BackendMap {
  const eq = input.indexOf('=');
  const fail = (why: string): never => {
    throw new InputError(`Invalid --backend \`${input}\`: ${why}`, {
      hint: 'Example: --backend app.localhost/api=http://api:8080 (or 9090=http://api:8080 for a local port).',
    });
  };
  if (eq <= 0 || eq === input.length - 1) fail('expected HOST[/PATH]=URL or PORT=URL.');
  try {
    addBackend(
      into,
      input.slice(0, eq),
      input
        .slice(eq + 1)
        .split(',')
        .filter((s) => s.trim() !== ''),
      domains,
    );
  } catch (error) {
    if (isUserError(error)) fail(error.message.replace(/\.$/, '') + '.');
    throw error;
  }
  return into;
}

export function emptyBackendMap(): BackendMap {
  return {routes: new Map(), targets: new Map()};
}

/** Add one mapping; the key is a local target when it is a port, host:port or URL, else a route. */
export function addBackend(map: BackendMap, key: string, values: readonly string[], domains: readonly string[] = []): void {
  if (values.length === 0) throw new InputError(`\`${key}\` maps to no backend.`);
  const upstreams = values.map((v) => parseUpstream(v.trim()));
  const trimmed = key.trim();
  if (/^\d+$/.test(trimmed) || /^[a-z]+:\/\//i.test(trimmed) || /:\d+$/.test(trimmed)) {
    map.targets.set(parseTarget(trimmed).url, upstreams);
  } else {
    map.routes.set(routeKey(parseRouteSpec(trimmed, domains)), upstreams);
  }
}

/** Fail on a mapping that names no route or target: a typo would otherwise export local addresses. */
export function checkBackendsUsed(map: BackendMap, routes: readonly Route[], source = '--backend'): void {
  const keys = new Set(routes.map(routeKey));
  const targets = new Set(routes.flatMap((r) => r.targets.map((t) => t.url)));
  for (const key of map.routes.keys()) {
    if (!keys.has(key)) throw new InputError(`Invalid ${source} \`${key}\`: no route \`${key}\` to map (routes: ${[...keys].join(', ') || 'none'}).`);
  }
  for (const url of map.targets.keys()) {
    if (!targets.has(url)) throw new InputError(`Invalid ${source} \`${url}\`: no route has the target \`${url}\`.`);
  }
}

/** The production form of each route: public host, mapped upstreams. Longest path first per host. Check the map first (checkBackendsUsed). */
export function planRoutes(routes: readonly Route[], domain: string | undefined, backends: BackendMap, domains: readonly string[] = []): ExportRoute[] {
  const planned = routes.map((route): ExportRoute => {
    const key = routeKey(route);
    const byRoute = backends.routes.get(key);
    const perTarget = route.targets.map((t) => backends.targets.get(t.url));
    // A target's weight goes with the backends it maps to; a route mapped as a whole has none.
    const upstreams = byRoute ?? route.targets.flatMap((t, i) => (perTarget[i] ?? [localUpstream(t.url)]).map((u) => withWeight(u, t.weight)));
    return {
      key,
      id: '',
      host: mapHost(route.host, domain, domains),
      path: route.path,
      upstreams: dedupe(upstreams),
      mapped: byRoute !== undefined || perTarget.every((u) => u !== undefined),
      strategy: route.strategy,
      ...(route.health === undefined ? {} : {health: route.health}),
      stripPrefix: route.stripPrefix,
      options: route.options ?? {},
    };
  });
  const taken = new Set<string>();
  for (const route of planned) {
    let id = slug(route.key);
    for (let n = 2; taken.has(id); n++) id = `${slug(route.key)}_${n}`;
    taken.add(id);
    route.id = id;
  }
  return planned.sort((a, b) => a.host.localeCompare(b.host) || b.path.length - a.path.length);
}

function withWeight(u: Upstream, weight: number | undefined): Upstream {
  return weight === undefined || weight === 1 ? u : {...u, weight};
}

/** True when the route's upstreams do not all weigh 1. */
export function isWeighted(route: ExportRoute): boolean {
  return route.upstreams.some((u) => (u.weight ?? 1) !== 1);
}

function localUpstream(url: string): Upstream {
  return parseUpstream(url);
}

function dedupe(list: Upstream[]): Upstream[] {
  const seen = new Set<string>();
  return list.filter((u) => {
    const id = upstreamUrl(u);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** `http://api:8080`, `http://[::1]:8080`. */
export function upstreamUrl(u: Upstream): string {
  return `${u.protocol}//${upstreamAddress(u)}`;
}

/** `api:8080`, `[::1]:8080`. */
export function upstreamAddress(u: Upstream): string {
  return `${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:${u.port}`;
}

/** A name for config identifiers: `app.localhost/api` -> `app_api`; `localhost` -> `root`. */
export function slug(key: string, sep = '_'): string {
  const s = key
    .replace(/\.localhost(?=\/|$)|^localhost(?=\/|$)/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, sep)
    .replace(new RegExp(`^\\${sep}+|\\${sep}+$`, 'g'), '');
  return s === '' ? 'root' : s;
}

/** Caddy and nginx speak one scheme per upstream group: a route mixing http and https backends is refused. */
export function routeScheme(route: ExportRoute, kind: string): 'http' | 'https' {
  const schemes = new Set(route.upstreams.map((u) => u.protocol));
  if (schemes.size > 1) {
    throw new UserError(`Cannot export route \`${route.key}\` to ${kind}: its backends mix http and https (${route.upstreams.map(upstreamUrl).join(', ')}).`, {
      hint: 'Map it to backends of one scheme with --backend.',
    });
  }
  return schemes.has('https:') ? 'https' : 'http';
}

/** Routes by public host, in plan order (so longest path first within a host). */
export function byHost(routes: readonly ExportRoute[]): Map<string, ExportRoute[]> {
  const map = new Map<string, ExportRoute[]>();
  for (const r of routes) map.set(r.host, [...(map.get(r.host) ?? []), r]);
  return map;
}
