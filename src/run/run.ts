import chalk from 'chalk';
import {request} from '../daemon/client.js';
import {ensureDaemon} from '../daemon/lifecycle.js';
import {UserError} from '../errors.js';
import {parseRouteSpec} from '../routes/parse.js';
import {inferProjectName} from '../routes/project.js';
import type {Strategy} from '../routes/types.js';
import {routeUrl} from '../routes/url.js';
import type {StatePaths} from '../state/home.js';
import {nodeExtraCaCerts} from '../trust/node.js';
import {withPortFlags} from './devserver.js';
import {startInstance, type RunningInstance} from './instance.js';
import {pickPorts} from './ports.js';

export interface RunOptions {
  paths: StatePaths;
  cwd: string;
  /** The command after `--`. */
  argv: string[];
  /** Route name; default inferred from portico.json, package.json or the directory. */
  name?: string;
  /** How many copies to run behind the one URL. Default 1. */
  instances: number;
  /** Route path under the name, e.g. /api. Default /. */
  path?: string;
  strategy?: Strategy;
  /** Restart crashed instances with backoff. */
  restart: boolean;
  out: (line: string) => void;
  /** Stop everything when this aborts (the command wires SIGINT/SIGTERM). */
  signal: AbortSignal;
}

const COLORS = [chalk.cyan, chalk.magenta, chalk.yellow, chalk.green, chalk.blue, chalk.red];

/**
 * Start the dev server `instances` times on free ports under https://<name>.localhost. Each instance
 * joins the route once its port accepts connections and leaves it when it exits. Resolves with the
 * exit status for `portico run`.
 */
export async function runDev(options: RunOptions): Promise<number> {
  if (options.argv.length === 0) throw new UserError('Give the command to run after `--`, e.g. `portico run -- npm run dev`.');
  if (!Number.isInteger(options.instances) || options.instances < 1 || options.instances > 32) {
    throw new UserError(`Invalid --instances \`${options.instances}\`: expected a whole number from 1 to 32.`);
  }
  const name = inferProjectName(options.cwd, options.name);
  const spec = `${name}.localhost${options.path && options.path !== '/' ? (options.path.startsWith('/') ? options.path : `/${options.path}`) : ''}`;
  const {host, path} = parseRouteSpec(spec);
  const {status} = await ensureDaemon(options.paths, {onNotice: options.out});
  const url = routeUrl(host, path, status.port);
  const ports = await pickPorts(options.instances);
  const bundle = nodeExtraCaCerts(process.env, options.paths.caCert, options.paths.home);
  const label = (i: number) => COLORS[(i - 1) % COLORS.length]!(`${name}#${i}`);
  let announced = false;
  let stopping = false;
  const running = new Map<number, RunningInstance>();
  const joined = new Set<number>();
  const codes: number[] = [];

  const join = async (port: number) => {
    await request(options.paths, 'POST', '/routes/add', {spec, targets: [String(port)], ...(options.strategy ? {strategy: options.strategy} : {}), owner: process.pid});
    joined.add(port);
  };
  const leave = async (port: number) => {
    if (!joined.delete(port)) return;
    await request(options.paths, 'POST', '/routes/remove', {spec, targets: [String(port)]}).catch(() => undefined);
  };

  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));

  const start = (index: number, port: number, attempt = 0): void => {
    const {argv, tool} = withPortFlags(options.argv, port, options.cwd);
    if (attempt === 0 && tool && index === 1) options.out(chalk.dim(`portico: ${tool} ignores PORT; adding its port flags: ${argv.slice(options.argv.length).join(' ')}`));
    const instance = startInstance({
      index,
      argv,
      port,
      cwd: options.cwd,
      env: {...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_EXTRA_CA_CERTS: bundle.path, PORTICO_URL: url},
      onLine: (line) => options.out(`${label(index)} ${chalk.dim('│')} ${line}`),
    });
    running.set(index, instance);
    instance.ready.then(
      async () => {
        if (stopping) return;
        await join(port);
        if (!announced) {
          announced = true;
          options.out('');
          options.out(`  ${chalk.green('➜')} ${chalk.bold(url)}  ${chalk.dim(`(${options.instances} instance${options.instances > 1 ? 's' : ''}, Ctrl-C stops)`)}`);
          options.out('');
        } else options.out(chalk.dim(`portico: ${name}#${index} is serving on port ${port}`));
      },
      () => undefined,
    );
    void instance.exited.then(async (code) => {
      await leave(port);
      if (stopping) return;
      options.out(chalk.red(`portico: ${name}#${index} exited with status ${code}.`) + (instance.tail().length ? `\n${chalk.dim('last output:')}\n${instance.tail().slice(-10).map((l) => `  ${l}`).join('\n')}` : ''));
      if (options.restart) {
        const delay = Math.min(30_000, 1000 * 2 ** attempt);
        options.out(chalk.yellow(`portico: restarting ${name}#${index} in ${delay / 1000} s`));
        setTimeout(() => !stopping && start(index, port, attempt + 1), delay).unref();
        return;
      }
      codes.push(code);
      running.delete(index);
      if (running.size === 0) allDone();
    });
  };

  ports.forEach((port, i) => start(i + 1, port));
  const onAbort = () => {
    stopping = true;
    allDone();
  };
  options.signal.addEventListener('abort', onAbort, {once: true});
  await finished;
  stopping = true;
  const stopped = await Promise.all([...running.values()].map((i) => i.stop()));
  await Promise.all([...joined].map((port) => leave(port)));
  if (options.signal.aborted) return 130;
  return codes.find((c) => c !== 0) ?? stopped.find((c) => c !== 0) ?? 0;
}
