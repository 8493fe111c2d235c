import {readStatus} from '../daemon/lifecycle.js';
import {UserError} from '../errors.js';
import type {StatePaths} from '../state/home.js';

export interface DashOptions {
  paths: StatePaths;
  /** Render the Ink dashboard; false prints plain lines. */
  tty: boolean;
  out: (line: string) => void;
  /** `w` keeps Authorization, Cookie, Set-Cookie and Proxy-Authorization values in HAR files. */
  withSecrets?: boolean;
}

export async function openDashboard(options: DashOptions): Promise<void> {
  if (!(await readStatus(options.paths)))
    throw new UserError('portico is not running, so there is no traffic to show.', {
      hint: 'Start it with `portico up` (or `portico up --foreground` for proxy and dashboard in one terminal).',
    });
  if (options.tty) {
    const {runDashboard} = await loadDashboardModule();
    await runDashboard({paths: options.paths, withSecrets: options.withSecrets});
    return;
  }
  const {runPlain} = await import('../ui/run.js');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  await runPlain({paths: options.paths, out: options.out, signal: controller.signal});
}

/**
 * Ink and React load only here, so `ls` and `up` stay fast. Called once both stdin and stdout are a
 * terminal: a CI variable inherited by that terminal must not switch Ink to its CI mode (final frame
 * only, no live updates). is-in-ci reads the variables when Ink is imported, so they go first.
 * React picks its build from NODE_ENV when first loaded: unset, it runs the development build, which
 * times every component render and cost the dashboard about twice the CPU under load.
 */
export async function loadDashboardModule(): Promise<typeof import('../ui/run.js')> {
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) if (process.env[name] !== undefined) process.env[name] = 'false';
  process.env.NODE_ENV ??= 'production';
  return import('../ui/run.js');
}
