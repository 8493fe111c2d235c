import {renderCaddyfile} from './caddy.js';
import {failOnNotes, formatWarning} from './features.js';
import {renderGateway} from './gateway.js';
import {renderIngress} from './ingress.js';
import {addBackend, emptyBackendMap, parseBackend, parseDomain, planRoutes} from './mapping.js';
import {renderNginx} from './nginx.js';
import {loadSource, type RouteSource} from './source.js';
import type {ExportKind, ExportRoute, RenderOptions, Rendered} from './types.js';
import {writeOutput} from './output.js';
import {UserError, isUserError} from '../errors.js';
import type {StatePaths} from '../state/home.js';

export interface ExportOptions {
  paths: StatePaths;
  kind: ExportKind;
  source: RouteSource;
  /** --domain; overrides deploy.domain. Absent: names stay under .localhost (with a warning). */
  domain?: string;
  /** --backend KEY=URL[,URL], in order; they override the deploy section key by key. */
  backends: readonly string[];
  /** -o FILE; absent: stdout. */
  output?: string;
  /** Make anything the target cannot express an error. Default false. */
  strict: boolean;
  render: RenderOptions;
  out: (text: string) => void;
  warn: (line: string) => void;
}

const RENDERERS: Record<ExportKind, (routes: readonly ExportRoute[], options: RenderOptions) => Rendered> = {
  caddy: renderCaddyfile,
  nginx: renderNginx,
  gateway: renderGateway,
  ingress: renderIngress,
};

/** Load the routes, map names and backends, render for the target, then write and warn. */
export async function exportRoutes(options: ExportOptions): Promise<void> {
  const domain = options.domain === undefined ? undefined : parseDomain(options.domain);
  const backends = emptyBackendMap();
  for (const flag of options.backends) parseBackend(flag, backends);
  const loaded = await loadSource(options.source, options.paths);
  if (loaded.routes.length === 0) {
    throw new UserError(`Nothing to export: ${loaded.from} has no routes.`, {hint: 'Add one (`portico add app.localhost 5173`) or export a project with --project DIR.'});
  }
  const deployBackends = emptyBackendMap();
  for (const [key, urls] of Object.entries(loaded.deploy?.backends ?? {})) {
    try {
      addBackend(deployBackends, key, urls);
    } catch (error) {
      if (isUserError(error)) throw new UserError(`Invalid \`deploy.backends\` in ${loaded.from}: ${error.message}`);
      throw error;
    }
  }
  for (const [k, v] of backends.routes) deployBackends.routes.set(k, v);
  for (const [k, v] of backends.targets) deployBackends.targets.set(k, v);
  const publicDomain = domain ?? (loaded.deploy?.domain === undefined ? undefined : parseDomain(loaded.deploy.domain));
  const routes = planRoutes(loaded.routes, publicDomain, deployBackends);
  const rendered = RENDERERS[options.kind](routes, options.render);
  if (options.strict) failOnNotes(options.kind, rendered.notes);
  writeOutput(options.output, rendered.text, options.out);
  options.warn(`Exported ${routes.length} route(s) from ${loaded.from} for ${options.kind}${options.output ? ` to ${options.output}` : ''}.`);
  if (publicDomain === undefined) options.warn('warning: no --domain (nor deploy.domain): the names stay under .localhost.');
  for (const note of rendered.notes) options.warn(formatWarning(options.kind, note));
}
