import {UserError} from '../errors.js';
import type {HeaderRule, Strategy} from '../routes/types.js';
import {notesFor, noteComments} from './features.js';
import {byHost, isWeighted, routeScheme, upstreamAddress} from './mapping.js';
import type {ExportRoute, Note, RenderOptions, Rendered, Upstream} from './types.js';

const LB_POLICY: Record<Strategy, string> = {
  'round-robin': 'round_robin',
  'least-conn': 'least_conn',
  random: 'random',
  first: 'first',
  sticky: 'cookie',
};

/** A Caddyfile with one site block per public host and one `handle` per route, longest path first. */
export function renderCaddyfile(routes: readonly ExportRoute[], options: RenderOptions): Rendered {
  const notes: Note[] = [];
  const lines = ['# Caddyfile written by `portico export caddy`. Hosts and backends as mapped at export time.'];
  if (!options.listen && !options.tlsCert)
    lines.push('# Caddy gets and renews certificates for these names itself (automatic HTTPS); their DNS must point here.');
  for (const [host, group] of byHost(routes)) {
    lines.push('', `${siteAddress(host, options)} {`);
    if (options.listen?.host) lines.push(`\tbind ${options.listen.host}`);
    if (options.tlsCert && options.tlsKey) lines.push(`\ttls ${caddyQuote(options.tlsCert, '--tls-cert')} ${caddyQuote(options.tlsKey, '--tls-key')}`);
    const opened = lines.length;
    for (const route of group) {
      const routeNotes = notesFor('caddy', route);
      notes.push(...routeNotes);
      // A blank line between routes, none right after the site's `{`: what `caddy fmt` writes.
      if (lines.length > opened) lines.push('');
      lines.push(...indent(routeBlock(route, routeNotes)));
    }
    lines.push('}');
  }
  return {text: `${lines.join('\n')}\n`, notes};
}

/** `app.example.com` (automatic HTTPS), or with --listen `http://…:PORT` (`https://` with a given certificate). */
function siteAddress(host: string, options: RenderOptions): string {
  if (!options.listen) return host;
  return `${options.tlsCert ? 'https' : 'http'}://${host}:${options.listen.port}`;
}

/**
 * `handle @m { ... }` with `@m path /api /api/*`: a segment-boundary prefix as portico matches it.
 * (`handle_path /api*` would also take `/apix`, and `handle_path /api/*` would miss `/api`.)
 */
function routeBlock(route: ExportRoute, notes: readonly Note[]): string[] {
  const out = [...noteComments(notes)];
  const body: string[] = [];
  if (route.stripPrefix && route.path !== '/') body.push(`uri strip_prefix ${route.path}`);
  if (route.options.compress) body.push('encode zstd gzip');
  body.push(...basicAuth(route));
  body.push(...reverseProxy(route));
  if (route.path === '/') {
    out.push('handle {', ...indent(body), '}');
  } else {
    out.push(`@${route.id} path ${route.path} ${route.path}/*`, `handle @${route.id} {`, ...indent(body), '}');
  }
  return out;
}

/**
 * A locked placeholder: a well-formed bcrypt hash whose password nobody knows, so the route fails
 * closed until the user puts the output of `caddy hash-password` there (portico's scrypt hash is no use to Caddy).
 */
export const CADDY_HASH_PLACEHOLDER = '$2a$14$portico.placeholder.run.caddy.hash.password..........';

/** `basicauth` (Caddy 2.0 to today; 2.8 also calls it basic_auth) for a `--auth basic` route. */
function basicAuth(route: ExportRoute): string[] {
  const auth = route.options.auth;
  if (auth?.kind !== 'basic') return [];
  return [
    'basicauth {',
    `	# replace with: caddy hash-password (portico keeps an scrypt hash Caddy cannot read)`,
    `	${caddyQuote(auth.user)} ${CADDY_HASH_PLACEHOLDER}`,
    '}',
  ];
}

function reverseProxy(route: ExportRoute): string[] {
  const sub: string[] = [];
  // A drained instance (weight 0) gets no new requests: Caddy is simply not given it.
  const upstreams = route.upstreams.filter((u) => u.weight !== 0);
  if (upstreams.length > 1) {
    if (route.strategy === 'round-robin' && isWeighted(route)) sub.push(`lb_policy weighted_round_robin ${upstreams.map((u) => u.weight ?? 1).join(' ')}`);
    else sub.push(`lb_policy ${LB_POLICY[route.strategy]}${route.strategy === 'sticky' ? ` portico_${route.id}` : ''}`);
  }
  // Like portico: a refused connection moves on to the next instance, and a failed one sits out a while.
  sub.push('lb_try_duration 5s', 'fail_duration 10s');
  if (route.health) sub.push(`health_uri ${route.health}`, 'health_interval 5s');
  sub.push(...headerRules('header_up', route.options.requestHeaders), ...headerRules('header_down', route.options.responseHeaders));
  const transport = transportBlock(route);
  if (transport.length > 0) sub.push('transport http {', ...indent(transport), '}');
  return [`reverse_proxy ${(upstreams.length > 0 ? upstreams : route.upstreams).map(caddyUpstream).join(' ')} {`, ...indent(sub), '}'];
}

function transportBlock(route: ExportRoute): string[] {
  const lines: string[] = [];
  if (route.options.timeout !== undefined) lines.push(`response_header_timeout ${route.options.timeout}ms`);
  if (routeScheme(route, 'caddy') === 'https') lines.push('tls');
  return lines;
}

function caddyUpstream(u: Upstream): string {
  return u.protocol === 'https:' ? `https://${upstreamAddress(u)}` : upstreamAddress(u);
}

function headerRules(directive: string, rules: readonly HeaderRule[] | undefined): string[] {
  return (rules ?? []).map((r) =>
    r.value === undefined ? `${directive} "-${r.name}"` : `${directive} "${r.name}" ${caddyQuote(r.value, `header ${r.name}`)}`,
  );
}

/**
 * One Caddyfile token holding exactly `value`. Braces are escaped for Caddy's replacer, which would
 * read `{…}` as a placeholder; then the token goes in backquotes, which the lexer takes as they are,
 * or, when the value holds a backquote, in double quotes, where the lexer unescapes only `\"`.
 * What no token can hold is refused by name: `{$` (Caddy substitutes environment variables
 * anywhere in the file, before lexing), and a backquote together with a backslash before a quote.
 */
export function caddyQuote(value: string, what = 'value'): string {
  const refuse = (why: string): never => {
    throw new UserError(`Cannot export ${what} \`${value}\` to a Caddyfile: ${why}.`, {exit: 2});
  };
  if (value.includes('{$')) refuse('Caddy reads `{$` as an environment variable anywhere in the file');
  const escaped = value.replace(/[{}]/g, (c) => `\\${c}`);
  if (!escaped.includes('`')) return `\`${escaped}\``;
  if (/\\("|$)/.test(escaped)) refuse('it holds a backquote and a backslash before a quote, which no Caddyfile token can hold');
  return `"${escaped.replace(/"/g, '\\"')}"`;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((l) => (l === '' ? l : `\t${l}`));
}
