import {Flags} from '@oclif/core';
import chalk from 'chalk';
import {BaseCommand} from '../src/cli/base.js';
import {parseDuration} from '../src/routes/duration.js';
import {parseInstances, runDev, splitAtDoubleDash} from '../src/run/run.js';
import {STRATEGIES, type Strategy} from '../src/routes/types.js';
import {statePaths} from '../src/state/home.js';

export default class Run extends BaseCommand {
  static override summary = 'Run a dev server under https://<name>.localhost, one or several instances.';
  static override description =
    `Starts the proxy if needed, picks free ports, and starts the command once per instance with PORT and HOST=127.0.0.1 set (and the port flags of vite, astro, ng serve, nuxt, next, webpack serve and others that ignore PORT, also behind npx/pnpm/yarn/bun and npm scripts). Each instance joins the route once its port answers and leaves it when it exits. Children get NODE_EXTRA_CA_CERTS (so they trust portico) and PORTICO_URL.

The name is --name, else portico.json "name", else package.json "name" (without scope), else the directory name. A name another directory already serves (a git worktree or a clone with the same package.json name) makes this directory a copy of that app, at https://<copy>.<name>.localhost, the copy named after its branch; https://<name>.localhost serves one copy at a time (see portico use). --join adds the instances to that route instead.
Without a command, it runs the package's dev script (npm run dev, or pnpm/yarn/bun by the lockfile). Each instance gets PORT, PORTICO_URL and PORTICO_INSTANCE (1, 2, ...). Several instances of one Vite project get Vite's --bypass-lock; Next.js 16 allows one next dev per directory unless next.config gives each instance its own distDir from PORTICO_INSTANCE (portico says so before starting).
A crashed instance is reported with its status and last output while the others keep serving; --restart starts it again (1 s, 2 s, 4 s ... 30 s).
Ctrl-C stops every instance's whole process tree, removes its targets and exits 130.`;
  static override examples = [
    '<%= config.bin %> run',
    '<%= config.bin %> run -- npm run dev',
    '<%= config.bin %> run --name api --instances 3 -- node server.js',
    '<%= config.bin %> run --path /api -- npx vite',
    '<%= config.bin %> run --restart -- node flaky.js',
  ];
  static override usage = 'run [--name N] [--instances K] [--path P] [--strategy S] [--timeout DURATION] [--restart] [--join] [-- COMMAND...]';
  static override strict = false;
  static override flags = {
    name: Flags.string({
      char: 'n',
      description: 'route name: web (https://web.localhost), or a full name under .localhost or an added domain (app.dev.example.com)',
    }),
    instances: Flags.string({char: 'i', description: 'how many copies to run behind the one URL (1-32)', default: '1'}),
    path: Flags.string({description: 'route path under the name, e.g. /api'}),
    strategy: Flags.string({char: 's', description: 'how requests spread over instances', options: [...STRATEGIES]}),
    restart: Flags.boolean({description: 'restart crashed instances (backoff 1 s, 2 s, 4 s ... 30 s)'}),
    timeout: Flags.string({
      description: "wait this long for response headers after the request body was sent: 90s, 500ms, 2m (always with a unit). Default: the daemon's, 30s",
    }),
    join: Flags.boolean({description: 'join the route even when another directory (a clone, a worktree) already serves this name'}),
  };

  async run(): Promise<void> {
    const {own, command} = splitAtDoubleDash(this.argv);
    const {flags, argv} = await this.parse(Run, own);
    const controller = new AbortController();
    // Once: a second Ctrl-C kills portico at once, and each instance's guard then stops its group.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => controller.abort(signal));
    const code = await runDev({
      paths: statePaths(),
      cwd: process.cwd(),
      argv: [...(argv as string[]), ...command],
      name: flags.name,
      instances: parseInstances(flags.instances),
      path: flags.path,
      strategy: flags.strategy as Strategy | undefined,
      restart: flags.restart,
      timeout: flags.timeout === undefined ? undefined : parseDuration(flags.timeout, '--timeout'),
      join: flags.join,
      out: (line) => this.log(line),
      err: (line) => this.logToStderr(line),
      color: chalk.level > 0,
      signal: controller.signal,
    });
    process.exitCode = code;
  }
}
