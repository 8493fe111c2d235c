import path from 'node:path';
import chalk from 'chalk';
import {probeTcpOnce} from '../transport/probe.js';
import {call} from '../daemon/client.js';
import {ensureDaemon} from '../daemon/lifecycle.js';
import type {AddRouteRequest, Status} from '../daemon/protocol.js';
import {routeUrl} from '../routes/url.js';
import {parseHealthPath, parseRouteSpec, parseStrategy, parseTarget} from '../routes/parse.js';
import {describeOptions} from '../routes/options-data.js';
import type {Route, RouteOptions, Strategy} from '../routes/types.js';
import type {StatePaths} from '../state/home.js';
import {noteTrust} from '../trust/hint.js';

export interface AddOptions {
  paths: StatePaths;
  spec: string;
  targets: string[];
  strategy?: string;
  health?: string;
  stripPrefix?: boolean;
  replace?: boolean;
  /** Add to a route another directory owns, on purpose. Default false: refused. */
  join?: boolean;
  /** Where `add` runs: a route another directory (a project, a `portico run`) owns is refused unless join or replace. */
  cwd?: string;
  /** Per-route options from the flags (already parsed, src/routes/features); only the keys given change. */
  options?: RouteOptions;
  out: (line: string) => void;
  warn: (line: string) => void;
}

/** What `add --json` prints. */
export interface AddResult {
  route: Route;
  url: string;
  created: boolean;
  /** Things worth knowing that did not stop the add: nothing listens on a target yet, a name does not resolve. */
  warnings: string[];
}

/** Validate here first (clear errors without starting a daemon), then add through the daemon. */
export async function addRouteCommand(options: AddOptions): Promise<AddResult> {
  parseRouteSpec(options.spec);
  for (const t of options.targets) parseTarget(t);
  const body: AddRouteRequest = {
    spec: options.spec,
    targets: options.targets,
    ...(options.strategy ? {strategy: parseStrategy(options.strategy) as Strategy} : {}),
    ...(options.health ? {health: parseHealthPath(options.health)} : {}),
    ...(options.stripPrefix ? {stripPrefix: true} : {}),
    ...(options.replace ? {replace: true} : {}),
    ...(options.join ? {join: true} : {}),
    ...(options.cwd ? {dir: path.resolve(options.cwd)} : {}),
    ...(options.options && Object.keys(options.options).length > 0 ? {options: options.options} : {}),
  };
  const {status, started} = await ensureDaemon(options.paths, {onNotice: options.out});
  // A daemon started just now may have had to fall back to 1443: say so as loudly as `up` does.
  if (started) for (const notice of status.notices) options.out(chalk.yellow.bold(`! ${notice}`));
  const {route, created, notices} = await call(options.paths, 'addRoute', body);
  const url = routeUrl(route.host, route.path, status.port);
  options.out(`${created ? 'Added' : 'Updated'} ${chalk.bold(url)}  ->  ${route.targets.map((t) => t.url).join(', ')}${route.targets.length > 1 ? ` (${route.strategy})` : ''}`);
  const described = describeOptions(route.options);
  if (described.length > 0) options.out(`  ${described.join(', ')}`);
  const warnings = [...(notices ?? []), ...(await silentTargets(options.targets)), ...(await unresolvable(route.host))];
  for (const line of warnings) options.warn(chalk.yellow(`! ${line}`));
  noteTrust(options.paths, options.warn);
  return {route, url, created, warnings};
}

/** A typo'd port is caught now, not at the first 502: say which targets nothing listens on yet. */
async function silentTargets(inputs: readonly string[]): Promise<string[]> {
  const checks = inputs.map(async (input) => {
    const target = parseTarget(input);
    const error = await probeTcpOnce(target, 1000);
    return error === undefined ? undefined : `Nothing listens on ${target.url} right now (${error}): the route answers 502 until your dev server starts there.`;
  });
  return (await Promise.all(checks)).filter((w): w is string => w !== undefined);
}

/** Chrome, Firefox and curl resolve *.localhost themselves; other clients need the system resolver to. */
async function unresolvable(host: string): Promise<string[]> {
  try {
    const {resolvesToLoopback} = await import('../hosts/resolve.js');
    if (!(await resolvesToLoopback(host))) {
      return [`${host} does not resolve on this machine (browsers resolve it anyway). For Node, Python, Safari and other clients run \`sudo portico hosts sync\`.`];
    }
  } catch {
    // resolution check unavailable: say nothing rather than guess
  }
  return [];
}

export type {Status};
