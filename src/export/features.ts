import {UserError} from '../errors.js';
import {FEATURES} from '../routes/features/index.js';
import {isWeighted} from './mapping.js';
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
  notes.push(...weightNotes(kind, route));

  if (k8s) {
    // A Service spreads over its pods; only the Gateway API can split between Services, by weight.
    if (route.strategy !== 'round-robin' && route.strategy !== 'random')
      add(`strategy ${route.strategy}`, 'not exported: a Service balances on its own (kube-proxy); set the policy in your Gateway or Ingress controller');
    if (kind === 'ingress' && route.mapped && new Set(route.upstreams.map((u) => u.hostname)).size > 1)
      add('several backends', `an Ingress path has one Service: only the first (${route.upstreams[0]!.hostname}) is exported`);
    if (route.health) add(`health check ${route.health}`, `not exported: give the pods a readinessProbe with httpGet.path ${route.health}`);
  } else if (kind === 'nginx') {
    if (route.strategy === 'sticky' && many)
      add(
        'strategy sticky',
        `approximated: nginx (open source) cannot issue a cookie; \`hash $cookie_portico_${route.id} consistent\` keeps a client on one server once the app sets that cookie, and sends clients without it to one server`,
      );
    if (route.strategy === 'first' && route.upstreams.length > 2)
      add('strategy first', 'approximated: nginx tries the first server, then balances over the `backup` ones instead of trying them in order');
    if (route.health)
      add(
        `health check ${route.health}`,
        'not exported: nginx open source has no active health checks (`health_check` is nginx Plus); failed requests mark a server down instead (max_fails/fail_timeout)',
      );
  }

  if (kind === 'ingress' && route.stripPrefix)
    add(
      'strip-prefix',
      "not exported: networking.k8s.io/v1 Ingress cannot rewrite paths; use your controller's annotation (e.g. nginx.ingress.kubernetes.io/rewrite-target) or the gateway export",
    );
  // Each option says what it loses on each target (src/routes/features); two options may lose the same thing once.
  const seen = new Set(notes.map((n) => `${n.feature}\n${n.detail}`));
  for (const feature of FEATURES) {
    const value = o[feature.key];
    if (value === undefined) continue;
    for (const loss of feature.exportLosses(value as never, kind)) {
      if (seen.has(`${loss.feature}\n${loss.detail}`)) continue;
      seen.add(`${loss.feature}\n${loss.detail}`);
      add(loss.feature, loss.detail);
    }
  }
  return notes;
}

/** What each target keeps of a weighted split (README "Weights"). */
function weightNotes(kind: ExportKind, route: ExportRoute): Note[] {
  if (!isWeighted(route) || route.upstreams.length < 2) return [];
  const note = (detail: string, severity: Note['severity'] = 'lost'): Note => ({
    route: route.key,
    feature: `weights ${route.upstreams.map((u) => u.weight ?? 1).join(':')}`,
    detail,
    severity,
  });
  const drained = route.upstreams.some((u) => u.weight === 0);
  if (kind === 'caddy') {
    if (route.strategy === 'round-robin')
      return [note('`lb_policy weighted_round_robin` needs Caddy 2.7 or newer' + (drained ? '; drained instances (weight 0) are left out' : ''), 'info')];
    if (route.strategy === 'first') return drained ? [note('drained instances (weight 0) are left out', 'info')] : [];
    return [
      note(
        `not exported: Caddy weighs only round-robin (weighted_round_robin), not ${route.strategy}` +
          (drained ? '; drained instances (weight 0) are left out' : ''),
      ),
    ];
  }
  if (kind === 'nginx') return drained ? [note('drained instances (weight 0) are written as `down`', 'info')] : [];
  if (kind === 'ingress') return [note('not exported: an Ingress path has one Service and no weights; use the gateway export (backendRefs[].weight)')];
  if (!route.mapped)
    return [
      note(
        'not exported: the local instances become one Service; map each target to its own Service (--backend 9090=http://blue:8080) to get backendRefs[].weight',
      ),
    ];
  return [];
}

function localTargetDetail(kind: ExportKind, route: ExportRoute): string {
  const fix = `map it with --backend ${route.key}=http://HOST:PORT`;
  if (kind === 'gateway' || kind === 'ingress') return `exported as a Service named after the route, port ${route.upstreams[0]!.port}; ${fix}`;
  return `exported as ${route.upstreams.map((u) => `${u.hostname}:${u.port}`).join(', ')}, an address on this machine; ${fix}`;
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
