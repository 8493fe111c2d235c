import type {HeaderRule} from '../routes/types.js';
import {notesFor, noteComments} from './features.js';
import {byHost, routeScheme, upstreamAddress} from './mapping.js';
import type {ExportRoute, Note, RenderOptions, Rendered, Upstream} from './types.js';

/** The Connection header for WebSockets: `upgrade` when the client asked, else empty (keeps upstream keep-alive). */
const UPGRADE_MAP = ['map $http_upgrade $portico_connection_upgrade {', '    default upgrade;', "    ''      '';", '}'];

/**
 * nginx has no escape for `$` in a string: a value holding one uses `${portico_dollar}`, a variable
 * whose value is a literal `$` (geo values are never read as variables).
 */
const DOLLAR_GEO = ['# `$` in a header value below: nginx strings have no escape for it.', 'geo $portico_dollar {', '    default "$";', '}'];

const hasDollar = (route: ExportRoute): boolean =>
  [...(route.options.requestHeaders ?? []), ...(route.options.responseHeaders ?? [])].some((r) => r.value?.includes('$'));

const GZIP_TYPES = 'text/plain text/css text/xml text/javascript application/javascript application/json application/xml image/svg+xml';

/**
 * An nginx config for the `http` context (a file in conf.d/): upstream blocks, then one server per
 * public host with two locations per path prefix (`= /api` and `/api/`), so `/apix` stays out as in portico.
 */
export function renderNginx(routes: readonly ExportRoute[], options: RenderOptions): Rendered {
  const notes: Note[] = [];
  const perRoute = new Map(routes.map((r) => [r, notesFor('nginx', r)] as const));
  for (const list of perRoute.values()) notes.push(...list);
  const lines = ['# nginx config written by `portico export nginx`, for the http context: put it in conf.d/ as it is.', '', ...UPGRADE_MAP];
  if (routes.some(hasDollar)) lines.push('', ...DOLLAR_GEO);
  for (const route of routes) lines.push(...httpContext(route));
  for (const route of routes) lines.push('', ...upstreamBlock(route));
  for (const [host, group] of byHost(routes)) {
    lines.push('', ...serverBlocks(host, group, perRoute, options));
  }
  return {text: `${lines.join('\n')}\n`, notes};
}

/** Zones that nginx only accepts in the http context: rate limits and caches. */
function httpContext(route: ExportRoute): string[] {
  const out: string[] = [];
  const {rateLimit, cache} = route.options;
  if (rateLimit) out.push(`limit_req_zone $binary_remote_addr zone=portico_${route.id}:10m rate=${nginxRate(rateLimit.perSecond)};`);
  if (cache) {
    out.push(
      // nginx makes only the last directory of the path, and /var/cache/nginx exists only in nginx.org's
      // packages (Debian's has /var/lib/nginx): directly under /var/cache, every stock install can make it.
      `# ${route.key}: nginx creates this directory (its parent, /var/cache, exists on every Linux).`,
      `proxy_cache_path /var/cache/nginx-portico-${route.id} levels=1:2 keys_zone=portico_cache_${route.id}:10m max_size=${cache.maxBytes} inactive=60m use_temp_path=off;`,
    );
  }
  return out.length > 0 ? ['', ...out] : out;
}

/** nginx takes whole requests per second or per minute. */
function nginxRate(perSecond: number): string {
  return Number.isInteger(perSecond) ? `${perSecond}r/s` : `${Math.max(1, Math.round(perSecond * 60))}r/m`;
}

function upstreamBlock(route: ExportRoute): string[] {
  const body: string[] = [];
  if (route.upstreams.length > 1) {
    if (route.strategy === 'least-conn') body.push('least_conn;');
    if (route.strategy === 'random') body.push('random;');
    if (route.strategy === 'sticky') body.push(`hash $cookie_portico_${route.id} consistent;`);
  }
  route.upstreams.forEach((u, i) => {
    // `first`: the rest are backups, used only while the first is down (fail-over, as in portico).
    const backup = route.strategy === 'first' && i > 0 ? ' backup' : '';
    body.push(`server ${upstreamAddress(u)}${serverWeight(route, u)} max_fails=1 fail_timeout=10s${backup};`);
  });
  body.push('keepalive 16;');
  return [`# ${route.key}`, `upstream portico_${route.id} {`, ...body.map((l) => `    ${l}`), '}'];
}

/** ` weight=3`; a drained instance (weight 0) is nginx's `down`; `first` ignores weights as portico does. */
function serverWeight(route: ExportRoute, u: Upstream): string {
  const weight = u.weight ?? 1;
  if (weight === 0) return ' down';
  return weight === 1 || route.strategy === 'first' ? '' : ` weight=${weight}`;
}

function serverBlocks(host: string, group: readonly ExportRoute[], perRoute: Map<ExportRoute, Note[]>, options: RenderOptions): string[] {
  const tls = options.tlsCert !== undefined && options.tlsKey !== undefined;
  const out: string[] = [];
  const listen = options.listen
    ? [`listen ${listenAddress(options.listen)}${tls ? ' ssl' : ''};`]
    : tls
      ? ['listen 443 ssl;', 'listen [::]:443 ssl;']
      : ['listen 80;', 'listen [::]:80;'];
  if (tls && !options.listen) {
    out.push('server {', '    listen 80;', '    listen [::]:80;', `    server_name ${host};`, '    return 301 https://$host$request_uri;', '}', '');
  }
  out.push('server {', ...listen.map((l) => `    ${l}`), `    server_name ${host};`);
  if (tls) {
    out.push(`    ssl_certificate ${nginxQuote(options.tlsCert!)};`, `    ssl_certificate_key ${nginxQuote(options.tlsKey!)};`);
  } else if (!options.listen) {
    out.push(
      '    # TLS: run `portico export nginx --tls-cert FILE --tls-key FILE`, or replace the two listen lines above with',
      '    #   listen 443 ssl; listen [::]:443 ssl;',
      `    #   ssl_certificate     /etc/letsencrypt/live/${host}/fullchain.pem;`,
      `    #   ssl_certificate_key /etc/letsencrypt/live/${host}/privkey.pem;`,
    );
  }
  for (const route of group) {
    const body = locationBody(route);
    out.push('', ...noteComments(perRoute.get(route) ?? [], '    '));
    if (route.path === '/') {
      out.push('    location / {', ...body, '    }');
    } else {
      out.push(`    location = ${route.path} {`, ...body, '    }', `    location ${route.path}/ {`, ...body, '    }');
    }
  }
  out.push('}');
  return out;
}

function locationBody(route: ExportRoute): string[] {
  const scheme = routeScheme(route, 'nginx');
  // A URI part in proxy_pass replaces the matched location prefix: that is strip-prefix.
  const uri = route.stripPrefix && route.path !== '/' ? '/' : '';
  const lines = [`proxy_pass ${scheme}://portico_${route.id}${uri};`, 'proxy_http_version 1.1;'];
  const auth = route.options.auth;
  if (auth?.kind === 'basic') {
    // nginx reads crypt/apr1/SHA hashes, not portico's scrypt: the file is made with htpasswd (see the note).
    lines.push(
      `auth_basic ${nginxQuote(`portico ${route.key}`)};`,
      `auth_basic_user_file /etc/nginx/portico-${route.id}.htpasswd;`,
      'proxy_set_header Authorization "";',
    );
  }
  for (const [name, value] of requestHeaders(route.options.requestHeaders)) lines.push(`proxy_set_header ${name} ${value};`);
  if (scheme === 'https') lines.push('proxy_ssl_server_name on;', `proxy_ssl_name ${route.upstreams[0]!.hostname};`);
  if (route.options.timeout !== undefined) lines.push(`proxy_read_timeout ${route.options.timeout}ms;`);
  lines.push(...responseHeaders(route));
  if (route.options.compress) lines.push('gzip on;', 'gzip_proxied any;', 'gzip_vary on;', `gzip_types ${GZIP_TYPES};`);
  if (route.options.rateLimit) lines.push(`limit_req zone=portico_${route.id} burst=${route.options.rateLimit.burst} nodelay;`, 'limit_req_status 429;');
  if (route.options.cache) lines.push(`proxy_cache portico_cache_${route.id};`);
  return lines.map((l) => `        ${l}`);
}

/** portico's forwarding headers, then the route's rules over them (an empty value drops a header in nginx). */
function requestHeaders(rules: readonly HeaderRule[] | undefined): Map<string, string> {
  const headers = new Map<string, string>([
    ['Host', '$host'],
    ['Upgrade', '$http_upgrade'],
    ['Connection', '$portico_connection_upgrade'],
    ['X-Forwarded-For', '$proxy_add_x_forwarded_for'],
    ['X-Forwarded-Proto', '$scheme'],
    ['X-Forwarded-Host', '$host'],
  ]);
  for (const rule of rules ?? []) {
    const existing = [...headers.keys()].find((k) => k.toLowerCase() === rule.name.toLowerCase());
    if (existing) headers.delete(existing);
    headers.set(`"${headerName(rule.name)}"`, rule.value === undefined ? '""' : nginxQuote(rule.value));
  }
  return headers;
}

/** Setting replaces the backend's header (hide it, add ours); removing only hides it. */
function responseHeaders(route: ExportRoute): string[] {
  const out: string[] = [];
  for (const rule of route.options.responseHeaders ?? []) {
    // A name is an RFC 9110 token (no quote or backslash) and nginx takes it literally, `$` included.
    const name = `"${headerName(rule.name)}"`;
    out.push(`proxy_hide_header ${name};`);
    if (rule.value !== undefined) out.push(`add_header ${name} ${nginxQuote(rule.value)} always;`);
  }
  return out;
}

/** `x-frame-options` -> `X-Frame-Options`: header names are case-insensitive; this reads as people write them. */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** A double-quoted nginx string holding exactly `value`: quote and backslash escaped, `$` through DOLLAR_GEO. */
export function nginxQuote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\$/g, '${portico_dollar}')}"`;
}

function listenAddress(listen: {host?: string; port: number}): string {
  if (listen.host === undefined) return String(listen.port);
  return `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
}
