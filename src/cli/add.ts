import chalk from 'chalk';
import {request} from '../daemon/client.js';
import {ensureDaemon} from '../daemon/lifecycle.js';
import type {AddRouteRequest, Status} from '../daemon/protocol.js';
import {parseDuration} from '../routes/duration.js';
import {routeUrl} from '../routes/url.js';
import {parseHealthPath, parseRouteSpec, parseStrategy, parseTarget} from '../routes/parse.js';
import type {Route, Strategy} from '../routes/types.js';
import type {StatePaths} from '../state/home.js';

export interface AddOptions {
  paths: StatePaths;
  spec: string;
  targets: string[];
  strategy?: string;
  health?: string;
  stripPrefix?: boolean;
  replace?: boolean;
  /** `--timeout` as typed (`90s`, `2m`, seconds). */
  timeout?: string;
  out: (line: string) => void;
  warn: (line: string) => void;
}

/** Validate here first (clear errors without starting a daemon), then add through the daemon. */
export async function addRouteCommand(options: AddOptions): Promise<Route> {
  parseRouteSpec(options.spec);
  for (const t of options.targets) parseTarget(t);
  const body: AddRouteRequest = {
    spec: options.spec,
    targets: options.targets,
    ...(options.strategy ? {strategy: parseStrategy(options.strategy) as Strategy} : {}),
    ...(options.health ? {health: parseHealthPath(options.health)} : {}),
    ...(options.stripPrefix ? {stripPrefix: true} : {}),
    ...(options.replace ? {replace: true} : {}),
    ...(options.timeout === undefined ? {} : {options: {timeout: parseDuration(options.timeout, '--timeout')}}),
  };
  const {status, started} = await ensureDaemon(options.paths, {onNotice: options.out});
  // A daemon started just now may have had to fall back to 1443: say so as loudly as `up` does.
  if (started) for (const notice of status.notices) options.out(chalk.yellow.bold(`! ${notice}`));
  const {route, created} = await request<{route: Route; created: boolean}>(options.paths, 'POST', '/routes/add', body);
  const url = routeUrl(route.host, route.path, status.port);
  options.out(`${created ? 'Added' : 'Updated'} ${chalk.bold(url)}  ->  ${route.targets.map((t) => t.url).join(', ')}${route.targets.length > 1 ? ` (${route.strategy})` : ''}`);
  await warnIfUnresolvable(route.host, options.warn);
  return route;
}

/** Chrome, Firefox and curl resolve *.localhost themselves; other clients need the system resolver to. */
async function warnIfUnresolvable(host: string, warn: (line: string) => void): Promise<void> {
  try {
    const {resolvesToLoopback} = await import('../hosts/resolve.js');
    if (!(await resolvesToLoopback(host))) {
      warn(`Note: ${host} does not resolve on this machine (browsers resolve it anyway). For Node, Python, Safari and other clients run \`sudo portico hosts sync\`.`);
    }
  } catch {
    // resolution check unavailable: say nothing rather than guess
  }
}

export type {Status};
