import {appendFileSync} from 'node:fs';
import {runDaemon} from '../daemon/daemon.js';
import {envWorkers} from '../daemon/lifecycle.js';
import {parseDuration} from '../routes/duration.js';
import type {StatePaths} from '../state/home.js';
import {noteTrust} from '../trust/hint.js';
import {registerProject} from './project.js';
import {printStatus} from './up.js';
import {loadDashboardModule} from './dash.js';

export interface ForegroundOptions {
  paths: StatePaths;
  port?: number;
  /** Project directory whose portico.json is served. */
  cwd: string;
  out: (line: string) => void;
  /** Attach the live dashboard. Default: stdout is a TTY. */
  dashboard?: boolean;
  /** `--timeout` / PORTICO_TIMEOUT as typed: the default response timeout. */
  timeout?: string;
  /** `--workers` / PORTICO_WORKERS: processes that serve connections. */
  workers?: number;
}

/**
 * `portico up --foreground`: the same daemon in this process, serving ./portico.json, until Ctrl-C
 * (or `q` in the dashboard, which it shows on a TTY; plain log lines otherwise).
 */
export async function runForeground(options: ForegroundOptions): Promise<void> {
  // Daemon log lines go to the terminal, except while the dashboard owns it: then to daemon.log.
  let log = options.out;
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout, '--timeout');
  const daemon = await runDaemon({paths: options.paths, port: options.port, timeoutMs, workers: options.workers ?? envWorkers(), log: (line) => log(line)});
  try {
    await registerProject(options.paths, options.cwd, options.out);
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  printStatus(await daemon.status(), options.out);
  noteTrust(options.paths);
  const stop = () => void daemon.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (options.dashboard ?? process.stdout.isTTY === true) {
    log = (line) => appendFileSync(options.paths.log, `${new Date().toISOString()} ${line}\n`, {mode: 0o600});
    const {runDashboard} = await loadDashboardModule();
    await runDashboard({paths: options.paths});
    log = options.out;
    await daemon.stop();
  } else options.out('Press Ctrl-C to stop.');
  await daemon.stopped;
}
