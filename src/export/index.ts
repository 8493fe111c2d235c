import {InputError, UserError, isUserError} from '../errors.js';
import type {Route} from '../routes/types.js';
import type {StatePaths} from '../state/home.js';
import {renderCaddyfile} from './caddy.js';
import {failOnNotes, formatWarning} from './features.js';
import {renderGateway} from './gateway.js';
import {renderIngress} from './ingress.js';
import {listDomains} from '../domains/files.js';
import {addBackend, checkBackendsUsed, emptyBackendMap, parseBackend, parseDomain, planRoutes, type BackendMap} from './mapping.js';
import {renderNginx} from './nginx.js';
import {writeOutput} from './output.js';
import {loadSource, type LoadedSource, type RouteSource} from './source.js';
import type {ExportKind, ExportRoute, RenderOptions, Rendered} from './types.js';
import {count} from '../text.js';

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
  // Flags are checked before anything is read, so a typo fails fast and alone.
  const flagDomain = options.domain === undefined ? undefined : parseDomain(options.domain);
  const domains = listDomains(options.paths.home);
  const flagBackends = emptyBackendMap();
  for (const flag of options.backends) parseBackend(flag, flagBackends, domains);

  const loaded = await loadSource(options.source, options.paths);
  if (loaded.routes.length === 0) {
    throw new UserError(`Nothing to export: ${loaded.from} has no routes.`, {
      hint: 'Add one (`portico add app.localhost 5173`) or export a project with --project DIR.',
    });
  }
  const domain = flagDomain ?? (loaded.deploy?.domain === undefined ? undefined : parseDomain(loaded.deploy.domain));
  const routes = planRoutes(loaded.routes, domain, mergeBackends(loaded, flagBackends, domains), domains);
  const rendered = RENDERERS[options.kind](routes, options.render);
  if (options.strict) failOnNotes(options.kind, rendered.notes);

  writeOutput(options.output, rendered.text, options.out);
  options.warn(`Exported ${count(routes.length, 'route')} from ${loaded.from} for ${options.kind}${options.output ? ` to ${options.output}` : ''}.`);
  if (domain === undefined) options.warn('warning: no --domain (nor deploy.domain): the names stay under .localhost.');
  for (const note of rendered.notes) options.warn(formatWarning(options.kind, note));
}

/** deploy.backends, then --backend over it key by key; each must name a route or target that exists. */
function mergeBackends(loaded: LoadedSource, flags: BackendMap, domains: readonly string[]): BackendMap {
  const where = `deploy.backends key in ${loaded.from}`;
  const merged = emptyBackendMap();
  for (const [key, urls] of Object.entries(loaded.deploy?.backends ?? {})) {
    try {
      addBackend(merged, key, urls, domains);
    } catch (error) {
      if (isUserError(error)) throw new InputError(`Invalid ${where} \`${key}\`: ${error.message}`);
      throw error;
    }
  }
  const routes: readonly Route[] = loaded.routes;
  checkBackendsUsed(merged, routes, where);
  checkBackendsUsed(flags, routes);
  for (const [k, v] of flags.routes) merged.routes.set(k, v);
  for (const [k, v] of flags.targets) merged.targets.set(k, v);
  return merged;
}
