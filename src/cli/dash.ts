import {readStatus} from '../daemon/lifecycle.js';
import {UserError} from '../errors.js';
import type {StatePaths} from '../state/home.js';

export interface DashOptions {
  paths: StatePaths;
  /** Render the Ink dashboard; false prints plain lines. */
  tty: boolean;
  out: (line: string) => void;
}

export async function openDashboard(options: DashOptions): Promise<void> {
  if (!(await readStatus(options.paths))) throw new UserError('portico is not running, so there is no traffic to show.', {hint: 'Start it with `portico up` (or `portico up --foreground` for proxy and dashboard in one terminal).'});
  // Ink and React load only here: `ls` and `up` stay fast.
  const {runDashboard, runPlain} = await import('../ui/run.js');
  if (options.tty) {
    await runDashboard({paths: options.paths});
    return;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  await runPlain({paths: options.paths, out: options.out, signal: controller.signal});
}
