import {runDaemon, type RunningDaemon} from '../daemon/daemon.js';
import type {StatePaths} from '../state/home.js';
import {registerProject} from './project.js';
import {printStatus} from './up.js';

export interface ForegroundOptions {
  paths: StatePaths;
  port?: number;
  /** Project directory whose portico.json is served. */
  cwd: string;
  out: (line: string) => void;
  /** Attach the live dashboard (src/ui/run.ts) when there is one. Default: stdout is a TTY. */
  dashboard?: boolean;
}

/** `portico up --foreground`: the same daemon in this process, serving ./portico.json, until Ctrl-C. */
export async function runForeground(options: ForegroundOptions): Promise<void> {
  const daemon = await runDaemon({paths: options.paths, port: options.port, log: (line) => options.out(line)});
  try {
    await registerProject(options.paths, options.cwd, options.out);
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  printStatus(daemon.status(), options.out);
  const stop = () => void daemon.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const dashboard = (options.dashboard ?? process.stdout.isTTY === true) ? await loadDashboard() : undefined;
  if (dashboard) {
    // Quitting the dashboard stops the proxy it belongs to.
    await dashboard({paths: options.paths, daemon});
    await daemon.stop();
  } else options.out('Press Ctrl-C to stop.');
  await daemon.stopped;
}

/**
 * Hook for the dashboard: `runDashboard` from src/ui/run.ts, which attaches to this daemon's control
 * socket like `portico dash` does and resolves when the user quits. Until that module exists the
 * foreground daemon prints plain log lines.
 */
export type RunDashboard = (options: {paths: StatePaths; daemon: RunningDaemon}) => Promise<void>;

async function loadDashboard(): Promise<RunDashboard | undefined> {
  // A specifier in a variable: the module is optional and tsc must not require it.
  const specifier = '../ui/run.js';
  try {
    return ((await import(specifier)) as {runDashboard?: RunDashboard}).runDashboard;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && /ui[\\/]run\.js/.test((error as Error).message)) return undefined;
    throw error;
  }
}
