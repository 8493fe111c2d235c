import chalk from 'chalk';
import {ensureDaemon, envWorkers} from '../daemon/lifecycle.js';
import {call} from '../daemon/client.js';
import type {Status} from '../daemon/protocol.js';
import {registerProject} from './project.js';
import {parseDuration} from '../routes/duration.js';
import {listDomains} from '../domains/files.js';
import {loadProjectConfig} from '../routes/project.js';
import {checkRemoteTargets} from '../routes/remote.js';
import type {StatePaths} from '../state/home.js';
import {noteTrust} from '../trust/hint.js';

export interface UpOptions {
  paths: StatePaths;
  /** Exact port, or undefined for 443-else-1443. */
  port?: number;
  /** Project directory whose portico.json is registered. Default cwd. */
  cwd: string;
  /** `--timeout` / PORTICO_TIMEOUT as typed: the daemon's default response timeout. */
  timeout?: string;
  /** `--workers` / PORTICO_WORKERS: processes that serve connections (README "Workers"). */
  workers?: number;
  out: (line: string) => void;
}

/** Start the daemon if needed, register ./portico.json, print the port and every URL. */
export async function up(options: UpOptions): Promise<Status> {
  // Validate the project file before starting anything: a typo should not leave a daemon behind.
  const project = loadProjectConfig(options.cwd, listDomains(options.paths.home));
  if (project) checkRemoteTargets(project);
  const timeout = options.timeout === undefined ? undefined : parseDuration(options.timeout, '--timeout (or PORTICO_TIMEOUT)');
  const {status: initial, started} = await ensureDaemon(options.paths, {
    port: options.port,
    timeout,
    workers: options.workers ?? envWorkers(),
    onNotice: options.out,
  });
  let status = initial;
  if (project && (await registerProject(options.paths, options.cwd, options.out)) !== undefined) {
    status = await call(options.paths, 'status');
  }
  if (!started) options.out(`portico is running on port ${status.port} (pid ${status.pid}).`);
  printStatus(status, options.out);
  noteTrust(options.paths);
  return status;
}

export type {Status};

export function printStatus(status: Status, out: (line: string) => void): void {
  for (const notice of status.notices) out(chalk.yellow.bold(`! ${notice}`));
  if (status.routes.length === 0) out('No routes yet. Add one: portico add app.localhost 5173');
  for (const route of status.routes) out(`  ${chalk.bold(route.url)}  ->  ${route.targets.map((t) => t.target).join(', ')}`);
  if ((status.workers ?? 1) > 1) out(chalk.dim(`  ${status.workers} processes serve connections (--workers)`));
  if (status.httpPort !== undefined) out(chalk.dim(`  http://<name>.localhost${status.httpPort === 80 ? '' : `:${status.httpPort}`}/ redirects to https`));
}
