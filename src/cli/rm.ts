import {ExitCode, UserError} from '../errors.js';
import {DaemonNotRunning, call} from '../daemon/client.js';
import {ensureDaemon} from '../daemon/lifecycle.js';
import {peekRoutes} from '../daemon/store.js';
import {listDomains} from '../domains/files.js';
import {parseRouteSpec, parseTarget} from '../routes/parse.js';
import {routeKey, type Route} from '../routes/types.js';
import type {StatePaths} from '../state/home.js';
import {count} from '../text.js';

export interface RmOptions {
  paths: StatePaths;
  spec: string;
  targets: string[];
  out: (line: string) => void;
}

/** What `rm --json` prints: the targets removed, and what is left of the route (absent: the route is gone). */
export interface RmResult {
  removed: Route;
  route?: Route;
}

export async function removeRouteCommand(options: RmOptions): Promise<RmResult> {
  const {host, path} = parseRouteSpec(options.spec, [...listDomains(options.paths.home), ...peekRoutes(options.paths).routes.map((r) => r.host)]);
  for (const t of options.targets) parseTarget(t);
  // Refuse a missing route before starting a daemon just to say so.
  if (!peekRoutes(options.paths).routes.some((r) => r.host === host && r.path === path)) {
    try {
      await call(options.paths, 'status');
    } catch (error) {
      if (error instanceof DaemonNotRunning)
        throw new UserError(`No route \`${routeKey({host, path})}\` to remove.`, {hint: 'See the routes with `portico ls`.', exit: ExitCode.notFound});
      throw error;
    }
  }
  await ensureDaemon(options.paths, {onNotice: options.out});
  const result = await call(options.paths, 'removeRoute', {spec: options.spec, targets: options.targets});
  if (result.route)
    options.out(
      `Removed ${result.removed.targets.map((t) => t.url).join(', ')} from ${routeKey(result.removed)}; ${count(result.route.targets.length, 'target')} left.`,
    );
  else options.out(`Removed ${routeKey(result.removed)}.`);
  return result;
}
