import {notesFor} from './features.js';
import {byHost} from './mapping.js';
import {hostObjectName, metadata, noteLines, serviceManifests, serviceRefs, toYaml, type Manifest} from './k8s.js';
import type {ExportRoute, Note, RenderOptions, Rendered} from './types.js';

/** networking.k8s.io/v1 Ingress: one per public host (Prefix paths, longest first), then the Service stubs. */
export function renderIngress(routes: readonly ExportRoute[], options: RenderOptions): Rendered {
  const notes: Note[] = [];
  const manifests: Manifest[] = [];
  for (const [host, group] of byHost(routes)) {
    const groupNotes = group.flatMap((r) => notesFor('ingress', r));
    notes.push(...groupNotes);
    manifests.push({
      comments: [...(options.tlsSecret ? [] : [`${host}: no TLS section; name the certificate's Secret with --tls-secret.`]), ...noteLines(groupNotes)],
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: metadata(hostObjectName(host), options),
        spec: {
          ...(options.ingressClass ? {ingressClassName: options.ingressClass} : {}),
          ...(options.tlsSecret ? {tls: [{hosts: [host], secretName: options.tlsSecret}]} : {}),
          rules: [{host, http: {paths: group.map(path)}}],
        },
      },
    });
  }
  manifests.push(...serviceManifests(routes, options));
  return {text: toYaml('Ingress manifests written by `portico export ingress`: kubectl apply -f FILE', manifests), notes};
}

/** `Prefix` matches whole path segments, as portico does. An Ingress path has one Service: the first. */
function path(route: ExportRoute): Record<string, unknown> {
  const service = serviceRefs(route)[0]!;
  return {path: route.path, pathType: 'Prefix', backend: {service: {name: service.name, port: {number: service.port}}}};
}
