import {runDaemon} from '../daemon/daemon.js';
import type {StatePaths} from '../state/home.js';
import {printStatus} from './up.js';

export interface ForegroundOptions {
  paths: StatePaths;
  port?: number;
  out: (line: string) => void;
}

/** `portico up --foreground`: the same daemon in this process, until Ctrl-C. */
export async function runForeground(options: ForegroundOptions): Promise<void> {
  const daemon = await runDaemon({paths: options.paths, port: options.port, log: (line) => options.out(line)});
  const status = daemon.status();
  printStatus(status, options.out);
  options.out('Press Ctrl-C to stop.');
  const stop = () => void daemon.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await daemon.stopped;
}
