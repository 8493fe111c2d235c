import path from 'node:path';
import chalk from 'chalk';
import {probeTcpOnce} from '../transport/probe.js';
import {call} from '../daemon/client.js';
import {ensureDaemon} from '../daemon/lifecycle.js';
import type {AddRouteRequest, Status} from '../daemon/protocol.js';
import {listDomains} from '../domains/files.js';
import {isLocalhostName} from '../routes/name.js';
import {routeUrl} from '../routes/url.js';
import {parseHealthPath, parseRouteSpec, parseStrategy, parseWeightedTarget} from '../routes/parse.js';
import {describeOptions, shownOptions} from '../routes/options-data.js';
import {sealAuth, tokenLink} from './auth.js';
import {readPassword} from './password.js';
import type {Route, RouteOptions, RouteTarget, Strategy} from '../routes/types.js';
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
  /** Reads the password for `--auth basic:USER` (a prompt on a terminal, else stdin). */
  readPassword?: (prompt: string) => Promise<string>;
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
  /** `--auth token`: the link that signs a browser in (carries the token; shown this once). */
  tokenUrl?: string;
}

/** Validate here first (clear errors without starting a daemon), then add through the daemon. */
export async function addRouteCommand(options: AddOptions): Promise<AddResult> {
  parseRouteSpec(options.spec, listDomains(options.paths.home));
  for (const t of options.targets) parseWeightedTarget(t);
  const sealed = await sealAuth(options.options, options.readPassword ?? ((prompt) => readPassword(prompt)));
  const body: AddRouteRequest = {
    spec: options.spec,
    targets: options.targets,
    ...(options.strategy ? {strategy: parseStrategy(options.strategy) as Strategy} : {}),
    ...(options.health ? {health: parseHealthPath(options.health)} : {}),
    ...(options.stripPrefix ? {stripPrefix: true} : {}),
    ...(options.replace ? {replace: true} : {}),
    ...(options.join ? {join: true} : {}),
    ...(options.cwd ? {dir: path.resolve(options.cwd)} : {}),
    ...(sealed.options && Object.keys(sealed.options).length > 0 ? {options: sealed.options} : {}),
  };
  const {status, started} = await ensureDaemon(options.paths, {onNotice: options.out});
  // A daemon started just now may have had to fall back to 1443: say so as loudly as `up` does.
  if (started) for (const notice of status.notices) options.out(chalk.yellow.bold(`! ${notice}`));
  const {route, created, notices} = await call(options.paths, 'addRoute', body);
  const url = routeUrl(route.host, route.path, status.port);
  options.out(
    `${created ? 'Added' : 'Updated'} ${chalk.bold(url)}  ->  ${route.targets.map(describeTarget).join(', ')}${route.targets.length > 1 ? ` (${route.strategy})` : ''}`,
  );
  const described = describeOptions(route.options);
  if (described.length > 0) options.out(`  ${described.join(', ')}`);
  const warnings = [...(notices ?? []), ...(await silentTargets(options.targets)), ...(await unresolvable(route.host))];
  for (const line of warnings) options.warn(chalk.yellow(`! ${line}`));
  noteTrust(options.paths, options.warn);
  const tokenUrl = sealed.token === undefined ? undefined : tokenLink(url, sealed.token);
  if (tokenUrl) {
    options.out(`  Token (shown once, kept only as a hash): ${sealed.token}`);
    options.out(`  Open this link once; the browser then keeps the token in a cookie: ${chalk.bold(tokenUrl)}`);
  }
  return {route: {...route, ...(route.options ? {options: shownOptions(route.options)} : {})}, url, created, warnings, ...(tokenUrl ? {tokenUrl} : {})};
}

/** A typo'd port is caught now, not at the first 502: say which targets nothing listens on yet. */
async function silentTargets(inputs: readonly string[]): Promise<string[]> {
  const checks = inputs.map(async (input) => {
    const {target, weight} = parseWeightedTarget(input);
    // A drained target is expected to go quiet.
    if (weight === 0) return undefined;
    const error = await probeTcpOnce(target, 1000);
    return error === undefined ? undefined : `Nothing listens on ${target.url} right now (${error}): the route answers 502 until your dev server starts there.`;
  });
  return (await Promise.all(checks)).filter((w): w is string => w !== undefined);
}

/** `http://localhost:9090`, with its weight when it is not 1: `http://localhost:9090 (weight 3)`. */
export function describeTarget(t: RouteTarget): string {
  return t.weight === undefined || t.weight === 1 ? t.url : `${t.url} (${t.weight === 0 ? 'drained, weight 0' : `weight ${t.weight}`})`;
}

/**
 * Chrome, Firefox and curl resolve *.localhost themselves; other clients need the system resolver to.
 * A name under an added domain needs it for every client, browsers included.
 */
async function unresolvable(host: string): Promise<string[]> {
  try {
    const {resolvesToLoopback} = await import('../hosts/resolve.js');
    if (!(await resolvesToLoopback(host))) {
      if (!isLocalhostName(host))
        return [
          `${host} does not resolve to this machine: run \`sudo portico hosts sync\` (or point it at 127.0.0.1 in DNS) so browsers and other clients reach portico.`,
        ];
      return [
        `${host} does not resolve on this machine (browsers resolve it anyway). For Node, Python, Safari and other clients run \`sudo portico hosts sync\`.`,
      ];
    }
  } catch {
    // resolution check unavailable: say nothing rather than guess
  }
  return [];
}

export type {Status};
