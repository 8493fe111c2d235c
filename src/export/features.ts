import {UserError} from '../errors.js';
import type {ExportKind, ExportRoute, Note} from './types.js';

/**
 * What each target cannot express as portico does, per route. Renderers map everything else; this
 * is the one place that decides what is lost, so the comment in the output, the warning on stderr
 * and the --strict error always agree.
 */
export function notesFor(kind: ExportKind, route: ExportRoute): Note[] {
  const notes: Note[] = [];
  const add = (feature: string, detail: string, severity: Note['severity'] = 'lost'): void => {
    notes.push({route: route.key, feature, detail, severity});
  };
  const o = route.options;
  const k8s = kind === 'gateway' || kind === 'ingress';
  const many = route.upstreams.length > 1;

  if (!route.mapped) add('local target', localTargetDetail(kind, route), 'info');

  if (k8s) {
    // A Service spreads over its pods; only the Gateway API can split between Services, by weight.
    if (route.strategy !== 'round-robin' && route.strategy !== 'random') add(`strategy ${route.strategy}`, 'not exported: a Service balances on its own (kube-proxy); set the policy in your Gateway or Ingress controller');
    if (kind === 'ingress' && route.mapped && new Set(route.upstreams.map((u) => u.hostname)).size > 1) add('several backends', `an Ingress path has one Service: only the first (${route.upstreams[0]!.hostname}) is exported`);
    if (route.health) add(`health check ${route.health}`, `not exported: give the pods a readinessProbe with httpGet.path ${route.health}`);
  } else if (kind === 'nginx') {
    if (route.strategy === 'sticky' && many) add('strategy sticky', `approximated: nginx (open source) cannot issue a cookie; \`hash $cookie_portico_${route.id} consistent\` keeps a client on one server once the app sets that cookie, and sends clients without it to one server`);
    if (route.strategy === 'first' && route.upstreams.length > 2) add('strategy first', 'approximated: nginx tries the first server, then balances over the `backup` ones instead of trying them in order');
    for (const rule of [...(o.requestHeaders ?? []), ...(o.responseHeaders ?? [])]) {
      if (rule.value?.includes('$')) add(`header ${rule.name}`, 'written as it is, but nginx reads `$` in a value as a variable and has no escape for it');
    }
    if (route.health) add(`health check ${route.health}`, 'not exported: nginx open source has no active health checks (`health_check` is nginx Plus); failed requests mark a server down instead (max_fails/fail_timeout)');
  }

  if (kind === 'ingress' && route.stripPrefix) add('strip-prefix', 'not exported: networking.k8s.io/v1 Ingress cannot rewrite paths; use your controller\'s annotation (e.g. nginx.ingress.kubernetes.io/rewrite-target) or the gateway export');
  if (o.timeout !== undefined && kind === 'ingress') add(`timeout ${o.timeout} ms`, 'not exported: Ingress has no timeout field; use your controller\'s annotation');
  if (o.cache && kind !== 'nginx') add('cache', kind === 'caddy' ? 'not exported: Caddy caches only with a plugin (cache-handler)' : 'not exported: Kubernetes routes do not cache; put a cache in front or in the app');
  if (o.compress && k8s) add('compress', 'not exported: Kubernetes routes do not compress; enable it in your controller or the app');
  if ((o.requestHeaders?.length || o.responseHeaders?.length) && kind === 'ingress') add('header rules', 'not exported: Ingress cannot change headers; use the gateway export (HTTPRoute header filters) or your controller\'s annotation');
  if (o.cors) add(`cors ${o.cors.origins.join(',')}`, `not exported: ${engineName(kind)} has no CORS setting; answer preflights in the app or add the Access-Control-* headers yourself`);
  if (o.rateLimit && kind !== 'nginx') add(`rate limit ${o.rateLimit.perSecond}/s`, kind === 'caddy' ? 'not exported: Caddy limits rates only with a plugin (caddy-ratelimit)' : 'not exported: set a rate limit in your Gateway or Ingress controller');
  // Faults are a development tool; no production proxy should inject them.
  if (o.delay) add(`delay ${o.delay.minMs}-${o.delay.maxMs} ms`, 'not exported: fault injection is for development only');
  if (o.fail) add(`fail ${percent(o.fail.rate)} with ${o.fail.status}`, 'not exported: fault injection is for development only');
  if (o.drop) add(`drop ${percent(o.drop.rate)}`, 'not exported: fault injection is for development only');
  return notes;
}

function localTargetDetail(kind: ExportKind, route: ExportRoute): string {
  const fix = `map it with --backend ${route.key}=http://HOST:PORT`;
  if (kind === 'gateway' || kind === 'ingress') return `exported as a Service named after the route, port ${route.upstreams[0]!.port}; ${fix}`;
  return `exported as ${route.upstreams.map((u) => `${u.hostname}:${u.port}`).join(', ')}, an address on this machine; ${fix}`;
}

/** 0.07 -> `7%` (not 7.000000000000001%). */
function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

function engineName(kind: ExportKind): string {
  return {caddy: 'Caddy', nginx: 'nginx', gateway: 'the Gateway API (standard channel)', ingress: 'Ingress'}[kind];
}

/** --strict: the first note is an error naming the route and the feature. */
export function failOnNotes(kind: ExportKind, notes: readonly Note[]): void {
  const lost = notes.filter((n) => n.severity === 'lost');
  const first = lost[0];
  if (first === undefined) return;
  const more = lost.length > 1 ? ` (and ${lost.length - 1} more: run without --strict to see them all)` : '';
  const detail = first.detail.replace(/^(not exported|approximated): /, '');
  throw new UserError(`Cannot export route \`${first.route}\` to ${kind} as portico serves it: ${first.feature}${more}.`, {hint: `${detail}.`});
}

/** `# portico: app.localhost/api: cache: not exported: …` lines. */
export function noteComments(notes: readonly Note[], indent = ''): string[] {
  return notes.map((n) => `${indent}# portico: ${n.route}: ${n.feature}: ${n.detail}.`);
}

/** The stderr form. */
export function formatWarning(kind: ExportKind, note: Note): string {
  return `warning: ${kind}: ${note.route}: ${note.feature}: ${note.detail}.`;
}
