import type {HeaderRule} from '../routes/types.js';
import {notesFor} from './features.js';
import {byHost, isWeighted} from './mapping.js';
import {hostObjectName, metadata, noteLines, serviceManifests, serviceRefs, toYaml, type Manifest} from './k8s.js';
import type {ExportRoute, Note, RenderOptions, Rendered} from './types.js';

/** Gateway API v1: one HTTPRoute per public host (a rule per path, longest first), then the Service stubs. */
export function renderGateway(routes: readonly ExportRoute[], options: RenderOptions): Rendered {
  const notes: Note[] = [];
  const manifests: Manifest[] = [];
  for (const [host, group] of byHost(routes)) {
    const groupNotes = group.flatMap((r) => notesFor('gateway', r));
    notes.push(...groupNotes);
    manifests.push({
      comments: [`${host}: TLS is set on the listener of Gateway \`${options.gateway}\` (--gateway), not here.`, ...noteLines(groupNotes)],
      object: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: metadata(hostObjectName(host), options),
        spec: {parentRefs: [{name: options.gateway}], hostnames: [host], rules: group.map(rule)},
      },
    });
  }
  manifests.push(...serviceManifests(routes, options));
  return {text: toYaml('Gateway API manifests written by `portico export gateway`: kubectl apply -f FILE', manifests), notes};
}

function rule(route: ExportRoute): Record<string, unknown> {
  const filters: Array<Record<string, unknown>> = [];
  // PathPrefix matches whole segments, as portico does; ReplacePrefixMatch `/` is strip-prefix.
  if (route.stripPrefix && route.path !== '/') filters.push({type: 'URLRewrite', urlRewrite: {path: {type: 'ReplacePrefixMatch', replacePrefixMatch: '/'}}});
  const req = headerModifier(route.options.requestHeaders);
  if (req) filters.push({type: 'RequestHeaderModifier', requestHeaderModifier: req});
  const res = headerModifier(route.options.responseHeaders);
  if (res) filters.push({type: 'ResponseHeaderModifier', responseHeaderModifier: res});
  return {
    matches: [{path: {type: 'PathPrefix', value: route.path}}],
    ...(filters.length > 0 ? {filters} : {}),
    backendRefs: backendRefs(route),
    ...(route.options.timeout !== undefined ? {timeouts: {backendRequest: duration(route.options.timeout)}} : {}),
  };
}

/** One ref per Service; a weighted route carries each Service's weight (the sum of the targets mapped to it). */
function backendRefs(route: ExportRoute): Array<Record<string, unknown>> {
  const refs = serviceRefs(route);
  if (!route.mapped || !isWeighted(route)) return refs.map((s) => ({name: s.name, port: s.port}));
  return refs.map((s) => {
    const weight = route.upstreams.filter((u) => u.port === s.port && u.hostname.split('.')[0] === s.name).reduce((sum, u) => sum + (u.weight ?? 1), 0);
    return {name: s.name, port: s.port, weight};
  });
}

function headerModifier(rules: readonly HeaderRule[] | undefined): Record<string, unknown> | undefined {
  if (!rules || rules.length === 0) return undefined;
  const set = rules.filter((r) => r.value !== undefined).map((r) => ({name: r.name, value: r.value!}));
  const remove = rules.filter((r) => r.value === undefined).map((r) => r.name);
  return {...(set.length > 0 ? {set} : {}), ...(remove.length > 0 ? {remove} : {})};
}

/** Gateway API durations allow at most 5 digits per unit: `1500ms`, `120s`. */
export function duration(ms: number): string {
  if (ms % 1000 === 0 || ms > 99_999) return `${Math.max(1, Math.round(ms / 1000))}s`;
  return `${ms}ms`;
}
