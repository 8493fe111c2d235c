import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {runForeground} from '../src/cli/foreground.js';
import {up, type Status} from '../src/cli/up.js';
import {MAX_WORKERS} from '../src/daemon/lifecycle.js';
import {statePaths} from '../src/state/home.js';

export default class Up extends BaseCommand {
  static override summary = 'Start the portico proxy (idempotent) and print its URLs.';
  static override description =
    `Starts one background HTTPS proxy for this user and returns once it answers. In a directory with portico.json (or a "portico" key in package.json), registers that project's routes, replacing its earlier ones.

Listens on the port it last ran on, so open URLs keep working; the first time on 443 when this user may bind it, otherwise on 1443 (said loudly, with how to get 443). --port N means exactly N.`;
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up --port 8443',
    '<%= config.bin %> up --foreground',
    '<%= config.bin %> up --timeout 2m',
    '<%= config.bin %> up --workers 2',
  ];
  static override flags = {
    port: Flags.integer({
      char: 'p',
      description: 'HTTPS port, exactly (0 picks a free one). Default: the port of the last run, else 443, else 1443.',
      min: 0,
      max: 65535,
      env: 'PORTICO_PORT',
    }),
    foreground: Flags.boolean({char: 'f', description: 'Run the proxy in this terminal instead of in the background.'}),
    timeout: Flags.string({
      description:
        'Default wait for response headers after the request body was sent (routes may set their own): 90s, 500ms, 2m (always with a unit). Default 30s.',
      env: 'PORTICO_TIMEOUT',
    }),
    workers: Flags.integer({
      description:
        'Processes that serve connections: the daemon and N-1 workers, each on its own core; connections are shared out round robin. More serve many connections at once (a load test); a browser page rides one connection, so the default serves a laptop. Default: PORTICO_WORKERS, else 1.',
      min: 1,
      max: MAX_WORKERS,
    }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<Status | undefined> {
    const {flags} = await this.parse(Up);
    const options = {
      paths: statePaths(),
      port: flags.port,
      timeout: flags.timeout,
      workers: flags.workers,
      cwd: process.cwd(),
      out: (line: string) => this.log(line),
    };
    if (flags.foreground) return void (await runForeground(options));
    return up(options);
  }
}
