import {runDaemon} from '../daemon/daemon.js';
import type {StatePaths} from '../state/home.js';
import {registerProject} from './project.js';
import {printStatus} from './up.js';

export interface ForegroundOptions {
  paths: StatePaths;
  port?: number;
  /** Project directory whose portico.json is served. */
  cwd: string;
  out: (line: string) => void;
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
  options.out('Press Ctrl-C to stop.');
  const stop = () => void daemon.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await daemon.stopped;
}
