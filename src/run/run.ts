import {readFileSync, watch} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {DaemonGone, DaemonNotRunning, call} from '../daemon/client.js';
import {ensureDaemon} from '../daemon/lifecycle.js';
import {InputError, isUserError} from '../errors.js';
import {parseRouteSpec} from '../routes/parse.js';
import {listDomains} from '../domains/files.js';
import {domainOf, hostSyntax, isLocalhostName, toLabel} from '../routes/name.js';
import {inferProjectName} from '../routes/project.js';
import {refuseOtherDirectory} from '../routes/owner.js';
import type {RouteCopy, Strategy} from '../routes/types.js';
import path_ from 'node:path';
import {routeUrl} from '../routes/url.js';
import type {StatePaths} from '../state/home.js';
import {noteTrust} from '../trust/hint.js';
import {devScriptCommand} from './dev-script.js';
import {withPortFlags} from './devserver.js';
import {copyIdentity, copySwitchOf, planCopy} from './copy.js';
import {instanceEnv} from './env.js';
import {startInstance} from './instance.js';
import {crashReport, printer, restartDelay} from './output.js';
import {pickPorts, stillFree} from './ports.js';

export interface RunOptions {
  paths: StatePaths;
  /** Where the command runs, and where the name is inferred from. */
  cwd: string;
  /** The command after `--`. */
  argv: string[];
  /** Route name; default inferred from portico.json, package.json or the directory. */
  name?: string;
  /** How many copies to run behind the one URL (1-32). */
  instances: number;
  /** Route path under the name, e.g. /api. Default /. */
  path?: string;
  /** Default: the route's (round-robin for a new one). */
  strategy?: Strategy;
  /** The route's response timeout, ms (`--timeout`). */
  timeout?: number;
  /** Restart crashed instances with backoff. */
  restart: boolean;
  /** Join the route even when another directory owns the name. Default false: refuse. */
  join?: boolean;
  /** One line to stdout: portico's messages and the instances' stdout. */
  out: (line: string) => void;
  /** One line of an instance's stderr. Default `out`. */
  err?: (line: string) => void;
  /** Colour the `name#i` prefixes (a terminal). Default false. */
  color?: boolean;
  /** Stop everything when this aborts; its reason (`SIGINT`, `SIGTERM`, `SIGHUP`) sets the exit status. */
  signal: AbortSignal;
  /** The instances' base environment. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Say that the command may ignore PORT when its port is still closed after this long. Default 20 s. */
  readyHintMs?: number;
}

/** `--instances`: a whole number from 1 to 32. */
export function parseInstances(input: string): number {
  const count = Number(input);
  if (!/^\s*\d+\s*$/.test(input) || count < 1 || count > 32) throw new InputError(`Invalid --instances \`${input}\`: expected a whole number from 1 to 32.`);
  return count;
}

/**
 * portico's own flags come before the first `--`, the command after it. oclif parses the whole argv and
 * reorders it when the command repeats one of portico's flags (`--name`, `-i`), so only the part
 * before `--` is given to it.
 */
export function splitAtDoubleDash(argv: readonly string[]): {own: string[]; command: string[]} {
  const at = argv.indexOf('--');
  return at === -1 ? {own: [...argv], command: []} : {own: argv.slice(0, at), command: argv.slice(at + 1)};
}

const SIGNAL_STATUS: Record<string, number> = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143};
/** An instance that served this long before crashing starts the restart backoff over. */
const STABLE_MS = 30_000;

/**
 * Start the dev server `instances` times on free ports under https://<name>.localhost. Each instance
 * joins the route once its port accepts connections (so no 502 while it boots) and leaves it when it
 * exits. Resolves with the exit status for `portico run`.
 */
export async function runDev(options: RunOptions): Promise<number> {
  // No command: the package's `dev` script, as `npm run dev` would run it.
  const argv = options.argv.length > 0 ? options.argv : devScriptCommand(options.cwd);
  if (options.argv.length === 0) options.out(`portico: running \`${argv.join(' ')}\` (package.json's dev script)`);
  parseInstances(String(options.instances));
  // A dev server that allows one per project (Next.js 16): said before anything starts.
  const refusal = withPortFlags(argv, 0, options.cwd, options.instances).refusal;
  if (refusal) throw new InputError(refusal);
  const domains = listDomains(options.paths.home);
  const {name: app, base} = runName(options.cwd, options.name, domains);
  const routePath = options.path && options.path !== '/' ? (options.path.startsWith('/') ? options.path : `/${options.path}`) : '';
  const stable = parseRouteSpec(`${base}${routePath}`, domains);
  const dir = path_.resolve(options.cwd);
  const identity = copyIdentity(dir);
  const copySwitch = copySwitchOf(dir);
  let name = app;
  let spec = `${base}${routePath}`;
  let {host, path} = stable;
  let copy: RouteCopy | undefined;
  const say = options.out;
  const {chalk, prefix} = printer(app, options.color ?? false);
  const live = new Map<number, ReturnType<typeof startInstance>>();
  let stopping = false;
  // Registered before anything slow, so a Ctrl-C during start-up is not lost.
  const onAbort = () => {
    stopping = true;
    if (live.size > 0) say(chalk.dim(`portico: stopping ${name} (${live.size} instance${live.size > 1 ? 's' : ''})`));
    for (const instance of live.values()) void instance.stop();
  };
  options.signal.addEventListener('abort', onAbort, {once: true});
  if (options.signal.aborted) onAbort();
  const {status} = await ensureDaemon(options.paths, {onNotice: say});
  noteTrust(options.paths, options.err);
  const routes = await call(options.paths, 'routes');
  if (options.join) {
    // Refuse before any instance starts: the daemon checks again when each one joins.
    const existing = routes.find((r) => r.host === host && r.path === path);
    if (existing) refuseOtherDirectory(existing, dir, true);
  } else {
    // A second directory of the same app (a worktree, a clone) is a copy beside it (README "Copies of an app").
    const plan = planCopy(routes, stable.host, stable.path, dir, identity, copySwitch);
    copy = plan.copy;
    if (plan.host !== stable.host) {
      host = plan.host;
      name = `${plan.copy.name}.${app}`;
      spec = `${host}${routePath}`;
      say(
        chalk.dim(
          `portico: ${stable.host} is served from another directory; this one is its copy ${plan.copy.name}${identity.branch ? ` (branch ${identity.branch})` : ''}`,
        ),
      );
    }
  }
  let url = routeUrl(host, path, status.port);
  const ports = await pickPorts(options.instances);
  const label = (index: number) => `${name}#${index}`;
  let announced = false;
  let explained = false;

  const firstPlan = withPortFlags(argv, ports[0]!, options.cwd, options.instances);
  // A dev server keeps per-instance state the page depends on (Vite's HMR token and module graph,
  // webpack's hashes): with several, keep each browser on one instance unless told otherwise.
  const strategy = options.strategy ?? (options.instances > 1 && firstPlan.tool ? 'sticky' : undefined);
  if (strategy === 'sticky' && !options.strategy)
    say(chalk.dim(`portico: ${firstPlan.tool} keeps per-instance state (HMR); each browser stays on one instance (--strategy sticky)`));
  const addTarget = (port: number) =>
    call(options.paths, 'addRoute', {
      spec,
      targets: [String(port)],
      ...(strategy ? {strategy} : {}),
      ...(options.timeout ? {options: {timeout: options.timeout}} : {}),
      owner: process.pid,
      dir: path_.resolve(options.cwd),
      ...(options.join ? {join: true} : {}),
      ...(copy ? {copy} : {}),
    });

  /** Add the instance's port to the route; a daemon stopped meanwhile is started again. */
  const join = async (index: number, port: number): Promise<boolean> => {
    try {
      await addTarget(port);
    } catch (error) {
      if (!(error instanceof DaemonNotRunning || error instanceof DaemonGone)) {
        say(chalk.red(`portico: ${label(index)} could not join ${spec}: ${(error as Error).message}${hintOf(error)}`));
        return false;
      }
      try {
        const again = await ensureDaemon(options.paths, {onNotice: say});
        url = routeUrl(host, path, again.status.port);
        await addTarget(port);
      } catch (retry) {
        say(chalk.red(`portico: ${label(index)} could not join ${spec}: ${(retry as Error).message}`));
        return false;
      }
    }
    if (!announced) {
      announced = true;
      say('');
      say(`  ${chalk.green('➜')} ${chalk.bold(url)}  ${chalk.dim(`(${options.instances} instance${options.instances > 1 ? 's' : ''}, Ctrl-C stops)`)}`);
      if (copy?.of)
        say(
          `  ${chalk.dim(`copy ${copy.name} of ${routeUrl(stable.host, stable.path, status.port)} · switch a browser there: ${routeUrl(stable.host, '/', status.port)}.portico/use/${copy.name}`)}`,
        );
      say('');
    } else say(chalk.dim(`portico: ${label(index)} is serving on port ${port}`));
    return true;
  };
  const leave = (port: number) => call(options.paths, 'removeRoute', {spec, targets: [String(port)]}).catch(() => undefined);

  /** Run one instance slot until it ends for good (no --restart, or stopping); its last exit status. */
  const supervise = async (index: number, firstPort: number): Promise<number> => {
    let port = firstPort;
    let portRaces = 0;
    for (let attempt = 0; ; ) {
      if (stopping) return 0;
      const plan = withPortFlags(argv, port, options.cwd, options.instances);
      if (!explained && index === 1) {
        explained = true;
        if (plan.tool)
          say(
            chalk.dim(
              `portico: ${plan.tool} ignores PORT; adding ${plan.argv
                .slice(argv.length)
                .filter((w) => w !== '--')
                .join(' ')}`,
            ),
          );
        if (plan.warning) say(chalk.yellow(`portico: ${plan.warning}`));
      }
      const instance = startInstance({
        index,
        argv: plan.argv,
        port,
        cwd: options.cwd,
        env: instanceEnv(options.env ?? process.env, options.paths, port, url, index),
        onLine: (line, stream) => (stream === 'stderr' ? (options.err ?? say) : say)(`${prefix(index)}${line}`),
      });
      live.set(index, instance);
      const startedAt = Date.now();
      const hint = setTimeout(
        () =>
          say(
            chalk.yellow(
              `portico: ${label(index)} has not opened port ${port} after ${Math.round((options.readyHintMs ?? 20_000) / 1000)} s. Does the command listen on $PORT (portico set PORT=${port}, HOST=127.0.0.1)?`,
            ),
          ),
        options.readyHintMs ?? 20_000,
      );
      const joined = instance.ready.then(
        () => (clearTimeout(hint), stopping ? false : join(index, port)),
        () => false,
      );
      const code = await instance.exited;
      clearTimeout(hint);
      live.delete(index);
      // Leave only after any join in flight has landed, so no target outlives its instance.
      if (await joined) await leave(port);
      if (stopping) return code;
      // The free port portico picked was taken before the dev server bound it (another program
      // listened on it in between; its port may even have looked open): not the dev server's fault,
      // so another port, at once, a few times.
      const raced = Date.now() - startedAt < PORT_RACE_MS && /EADDRINUSE|address already in use/i.test(instance.tail().join('\n'));
      if (raced && portRaces < PORT_RACES) {
        portRaces++;
        const next = (await pickPorts(1))[0]!;
        say(chalk.yellow(`portico: port ${port} was taken before ${label(index)} could listen on it; starting it on port ${next}`));
        port = next;
        continue;
      }
      say(chalk.red(crashReport(label(index), code, instance.tail())));
      if (!options.restart) return code;
      if (Date.now() - startedAt > STABLE_MS) attempt = 0;
      const delay = restartDelay(attempt++);
      say(chalk.yellow(`portico: restarting ${label(index)} in ${delay / 1000} s`));
      await sleep(delay, undefined, {signal: options.signal}).catch(() => undefined);
      if (stopping) return code;
      // Something else may have taken the port meanwhile.
      if (!(await stillFree(port))) port = (await pickPorts(1))[0]!;
    }
  };

  // The proxy may move while this runs (`portico up --port N` restarts it elsewhere; routes are kept):
  // the URL printed above would then be wrong, so the new one is printed when daemon.json changes.
  let shownPort = status.port;
  const moved = watchDaemonPort(options.paths, (port) => {
    if (port === shownPort || !announced) return;
    shownPort = port;
    url = routeUrl(host, path, port);
    say(`  ${chalk.green('➜')} ${chalk.bold(url)}  ${chalk.dim(`(the proxy moved to port ${port})`)}`);
  });
  try {
    const codes = await Promise.all(ports.map((port, i) => supervise(i + 1, port)));
    if (options.signal.aborted) return SIGNAL_STATUS[String(options.signal.reason)] ?? 130;
    return codes.find((c) => c !== 0) ?? 0;
  } finally {
    moved.close();
    options.signal.removeEventListener('abort', onAbort);
  }
}

/** Call `onPort` with the daemon's port each time daemon.json is written (a restart, a move); never with a daemon that is gone. */
function watchDaemonPort(paths: StatePaths, onPort: (port: number) => void): {close(): void} {
  try {
    const watcher = watch(paths.home, (_event, file) => {
      if (file !== path_.basename(paths.daemon)) return;
      try {
        const port = (JSON.parse(readFileSync(paths.daemon, 'utf8')) as {port?: unknown}).port;
        if (typeof port === 'number' && port > 0) onPort(port);
      } catch {
        // removed (the daemon stopped) or half-written: the next write says more
      }
    });
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    // No file watching here (an exotic file system): the URL printed at start stays.
    return {close: () => undefined};
  }
}

/** How many times an instance is moved to another port when the one picked was taken before it listened. */
const PORT_RACES = 3;
/** An EADDRINUSE exit within this long of the start is taken for such a race. */
const PORT_RACE_MS = 15_000;

const hintOf = (error: unknown) => (isUserError(error) && error.hint ? `\n${error.hint}` : '');

/**
 * The route's name: `--name web.localhost` or `--name app.dev.example.test` (a full name under
 * .localhost or an added domain) as given, else `<label>.localhost` with the label from --name,
 * portico.json, package.json or the directory. A --name that would have to be rewritten into a
 * label (`bad name`, `app.example.com` without that domain added) is refused, never changed silently.
 */
function runName(cwd: string, explicit: string | undefined, domains: readonly string[]): {name: string; base: string} {
  if (explicit?.includes('.')) {
    const host = hostSyntax(explicit);
    if (host !== 'localhost' && (isLocalhostName(host) || domainOf(host, domains) !== undefined)) return {name: host.split('.')[0]!, base: host};
    const label = toLabel(host.split('.')[0]!) ?? 'web';
    throw new InputError(`Invalid --name \`${explicit}\`: a full name must be under .localhost or an added domain.`, {
      hint: `Use a label (\`--name ${label}\` serves https://${label}.localhost), or add the domain first: \`portico domain add <suffix>\`.`,
    });
  }
  if (explicit !== undefined && toLabel(explicit) !== explicit.toLowerCase()) {
    throw new InputError(`Invalid --name \`${explicit}\`: expected letters, digits and hyphens (\`web\`), or a full name such as \`web.localhost\`.`);
  }
  const name = inferProjectName(cwd, explicit);
  return {name, base: `${name}.localhost`};
}
