import {isIP} from 'node:net';
import YAML from 'yaml';
import {InputError} from '../errors.js';
import {slug} from './mapping.js';
import type {ExportRoute, Note, RenderOptions, Upstream} from './types.js';

/** A Service a route sends to: its name and port. */
export interface ServiceRef {
  name: string;
  port: number;
  protocol: 'http:' | 'https:';
}

/** One manifest with the comments that go above it. */
export interface Manifest {
  object: Record<string, unknown>;
  comments: string[];
}

const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The Services a route's backends are. A mapped backend `http://api:8080` (or
 * `api.shop.svc.cluster.local:8080`) is the Service `api`, port 8080; local targets, which have no
 * name, become one Service named after the route (the local instances are its replicas).
 */
export function serviceRefs(route: ExportRoute): ServiceRef[] {
  if (!route.mapped) return [{name: slug(route.key, '-'), port: route.upstreams[0]!.port, protocol: route.upstreams[0]!.protocol}];
  const refs = route.upstreams.map((u) => ({name: serviceName(u, route.key), port: u.port, protocol: u.protocol}));
  return refs.filter((r, i) => refs.findIndex((o) => o.name === r.name && o.port === r.port) === i);
}

function serviceName(u: Upstream, key: string): string {
  const name = u.hostname.split('.')[0]!;
  if (isIP(u.hostname) !== 0 || !DNS_1035.test(name)) {
    throw new InputError(
      `Invalid backend \`${u.hostname}:${u.port}\` for \`${key}\`: Kubernetes needs a Service name (a DNS label such as \`api\`), as in --backend ${key}=http://api:${u.port}.`,
    );
  }
  return name;
}

/** Service stubs for every Service the routes name (by name): a selector on one pod label, the ports used. */
export function serviceManifests(routes: readonly ExportRoute[], options: RenderOptions): Manifest[] {
  const byName = new Map<string, Map<number, ServiceRef>>();
  for (const ref of routes.flatMap(serviceRefs)) {
    const ports = byName.get(ref.name) ?? new Map<number, ServiceRef>();
    ports.set(ref.port, ref);
    byName.set(ref.name, ports);
  }
  return [...byName]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, ports]) => ({
      comments: [`Service stub: selects pods labelled ${options.selectorLabel}=${name}; change the label with --selector-label.`],
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: metadata(name, options),
        spec: {
          selector: {[options.selectorLabel]: name},
          ports: [...ports.values()].map((p) => ({
            name: ports.size === 1 ? p.protocol.slice(0, -1) : `${p.protocol.slice(0, -1)}-${p.port}`,
            port: p.port,
            targetPort: p.port,
            protocol: 'TCP',
            ...(p.protocol === 'https:' ? {appProtocol: 'https'} : {}),
          })),
        },
      },
    }));
}

/** `app.example.com` -> `app-example-com`: an object name for a host. */
export function hostObjectName(host: string): string {
  return host.replace(/\./g, '-').slice(0, 253);
}

export function metadata(name: string, options: RenderOptions): Record<string, unknown> {
  return {name, ...(options.namespace ? {namespace: options.namespace} : {}), labels: {'app.kubernetes.io/managed-by': 'portico-export'}};
}

/** The notes of the routes in one manifest, as comment lines. */
export function noteLines(notes: readonly Note[]): string[] {
  return notes.map((n) => `portico: ${n.route}: ${n.feature}: ${n.detail}.`);
}

/** Multi-document YAML, each document with its comments; the yaml library does the quoting. */
export function toYaml(header: string, manifests: readonly Manifest[]): string {
  const docs = manifests.map((m) => {
    const doc = new YAML.Document(m.object);
    if (m.comments.length > 0) doc.commentBefore = m.comments.map((c) => ` ${c}`).join('\n');
    return doc.toString({lineWidth: 0});
  });
  return `# ${header}\n${docs.join('---\n')}`;
}
