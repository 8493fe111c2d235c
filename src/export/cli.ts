import {isIP} from 'node:net';
import {InputError} from '../errors.js';
import type {StatePaths} from '../state/home.js';
import type {ExportOptions} from './index.js';
import type {RouteSource} from './source.js';
import {EXPORT_KINDS, type ExportKind} from './types.js';

/** The flags of `portico export`, as oclif parsed them. */
export interface ExportFlags {
  domain?: string;
  project?: string;
  all?: boolean;
  output?: string;
  backend?: string[];
  strict?: boolean;
  listen?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  'selector-label': string;
  namespace?: string;
  gateway: string;
  'ingress-class'?: string;
  'tls-secret'?: string;
}

/** Map the command line onto ExportOptions; every flag is checked here, before anything is read. */
export function toExportOptions(
  kind: string,
  flags: ExportFlags,
  io: {paths: StatePaths; cwd: string; out: (t: string) => void; warn: (l: string) => void},
): ExportOptions {
  if ((flags['tls-cert'] === undefined) !== (flags['tls-key'] === undefined)) {
    throw new InputError('--tls-cert and --tls-key go together: give both files, or neither for commented placeholders.');
  }
  const source: RouteSource = flags.project !== undefined ? {kind: 'project', dir: flags.project} : flags.all ? {kind: 'table'} : {kind: 'auto', cwd: io.cwd};
  return {
    paths: io.paths,
    kind: parseKind(kind),
    source,
    ...(flags.domain === undefined ? {} : {domain: flags.domain}),
    backends: flags.backend ?? [],
    ...(flags.output === undefined ? {} : {output: flags.output}),
    strict: flags.strict ?? false,
    render: {
      ...(flags.listen === undefined ? {} : {listen: parseListen(flags.listen)}),
      ...(flags['tls-cert'] === undefined ? {} : {tlsCert: flags['tls-cert'], tlsKey: flags['tls-key']}),
      ...(flags.namespace === undefined ? {} : {namespace: parseK8sName('--namespace', flags.namespace)}),
      selectorLabel: parseLabelKey(flags['selector-label']),
      gateway: parseK8sName('--gateway', flags.gateway),
      ...(flags['ingress-class'] === undefined ? {} : {ingressClass: parseK8sName('--ingress-class', flags['ingress-class'])}),
      ...(flags['tls-secret'] === undefined ? {} : {tlsSecret: parseK8sName('--tls-secret', flags['tls-secret'])}),
    },
    out: io.out,
    warn: io.warn,
  };
}

export function parseKind(input: string): ExportKind {
  if ((EXPORT_KINDS as readonly string[]).includes(input)) return input as ExportKind;
  throw new InputError(`Invalid export target \`${input}\`: expected one of ${EXPORT_KINDS.join(', ')}.`);
}

/** `8080` (every interface), `127.0.0.1:8080`, `[::1]:8080`. */
export function parseListen(input: string): {host?: string; port: number} {
  const m = /^(?:(\[[0-9a-f:.]+\]|[^:[\]]+):)?(\d{1,5})$/i.exec(input.trim());
  const port = Number(m?.[2]);
  const host = m?.[1]?.replace(/^\[|\]$/g, '');
  if (!m || port < 1 || port > 65535 || (host !== undefined && host !== 'localhost' && isIP(host) === 0)) {
    throw new InputError(`Invalid --listen \`${input}\`: expected PORT or ADDRESS:PORT, like 127.0.0.1:8080.`);
  }
  return host === undefined ? {port} : {host, port};
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function parseK8sName(flag: string, input: string): string {
  if (!K8S_NAME.test(input)) throw new InputError(`Invalid ${flag} \`${input}\`: expected a Kubernetes name (lower-case letters, digits, '-' and '.').`);
  return input;
}

/** A label key: optional DNS prefix and `/`, then a name of up to 63 characters. */
function parseLabelKey(input: string): string {
  if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(input)) {
    throw new InputError(`Invalid --selector-label \`${input}\`: expected a Kubernetes label key like app.kubernetes.io/name.`);
  }
  return input;
}
