import {closeSync, openSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs';
import path from 'node:path';
import {ExitCode, InputError, UserError} from '../errors.js';
import {formatDuration} from '../routes/duration.js';
import {count} from '../text.js';
import {ensureHome, type StatePaths} from '../state/home.js';
import {PACKAGE_ROOT, VERSION} from '../version.js';
import {DaemonGone, DaemonNotRunning, call} from './client.js';
import {pidAlive} from '../state/pid.js';
import {isDaemonProcess} from './process.js';
import type {DaemonInfo, Status} from './protocol.js';

const LOG_LIMIT = 5 * 1024 * 1024;

/**
 * The daemon's status, or undefined when none answers. `probe`: targets of routes without traffic are
 * probed first (the daemon probes only routes in use), so `ls` shows real health.
 */
export async function readStatus(paths: StatePaths, options: {probe?: boolean} = {}): Promise<Status | undefined> {
  try {
    return await (options.probe ? call(paths, 'probedStatus', {}, {timeoutMs: 5000}) : call(paths, 'status', undefined, {timeoutMs: 5000}));
  } catch (error) {
    if (error instanceof DaemonNotRunning || error instanceof DaemonGone) return undefined;
    throw error;
  }
}

export interface EnsureOptions {
  /** Exact port; undefined: keep a running daemon's port, or 443-else-1443 when starting. */
  port?: number;
  /** Told when portico starts or restarts the daemon. */
  onNotice?: (line: string) => void;
  /** The daemon's default response timeout, ms (`up --timeout`); a running daemon with another one restarts. */
  timeout?: number;
  /** Processes that serve connections (`up --workers`); a running daemon with another number restarts. */
  workers?: number;
}

/**
 * Make sure the daemon runs (this version, on the asked port) and return its status. Starting is
 * confirmed by the daemon itself over IPC once its proxy and control socket answer: never a sleep.
 */
export async function ensureDaemon(paths: StatePaths, options: EnsureOptions = {}): Promise<{status: Status; started: boolean}> {
  ensureHome(paths.home);
  const running = await readStatus(paths);
  let port = options.port ?? envPort();
  const workers = options.workers ?? envWorkers();
  if (running) {
    const wrongPort = options.port !== undefined && options.port !== 0 && options.port !== running.port;
    const wrongTimeout = options.timeout !== undefined && options.timeout !== running.timeout;
    const wrongWorkers = options.workers !== undefined && options.workers !== (running.workers ?? 1);
    if (running.version === VERSION && !wrongPort && !wrongTimeout && !wrongWorkers) return {status: running, started: false};
    options.onNotice?.(
      running.version !== VERSION
        ? `Restarting the portico daemon: it runs version ${running.version}, this is ${VERSION}.`
        : wrongPort
          ? `Restarting the portico daemon on port ${options.port} (it was on ${running.port}).`
          : wrongTimeout
            ? `Restarting the portico daemon with a ${formatDuration(options.timeout!)} timeout (it had ${formatDuration(running.timeout ?? 30_000)}).`
            : `Restarting the portico daemon with ${count(options.workers!, 'process', 'processes')} serving connections (it had ${running.workers ?? 1}).`,
    );
    await stopDaemon(paths);
    // A restart for a new version keeps the URLs the user has open.
    port ??= running.port;
  }
  // The CA and the `localhost` leaf every daemon serves are made here, by the short-lived CLI, so a
  // daemon finds them on disk: issuing needs node-forge, which would then stay in the long-running
  // daemon's memory (~1.5 MB of its idle RSS). The daemon still makes them itself when they are missing.
  const [{ensureCA}, {createCertProvider}] = await Promise.all([import('../certs/ca.js'), import('../certs/provider.js')]);
  await createCertProvider(await ensureCA(paths), {certsDir: paths.certsDir}).leafFor('localhost');
  // CLIs started together race for the control socket: the losers look again until one answers or
  // their own start fails with the real reason. Bounded by time, not by a count a busy machine outruns.
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; attempt < 5 || Date.now() < deadline; attempt++) {
    const outcome = await spawnDaemon(paths, port, options.timeout, workers);
    if (outcome === 'already') {
      // Another CLI started it a moment ago: use that one.
      const status = await readStatus(paths);
      if (status) return {status, started: false};
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const status = await readStatus(paths);
    if (status) {
      options.onNotice?.(`Started the portico daemon (pid ${status.pid}) on port ${status.port}.`);
      return {status, started: true};
    }
  }
  throw new UserError('The portico daemon started but does not answer on its control socket.', {hint: `See ${paths.log}.`});
}

/** PORTICO_PORT, which commands without --port (`add`, `rm`, ...) honour when they start the daemon. */
export function envPort(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.PORTICO_PORT?.trim();
  if (!text) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new InputError(`Invalid PORTICO_PORT \`${text}\`: expected a port number from 0 to 65535.`, {
      hint: 'Unset it for 443 (else 1443), or set it to the port portico should use.',
    });
  }
  return Number(text);
}

/** PORTICO_WORKERS, which a daemon started by any command honours (`up --workers` reads it too). */
export function envWorkers(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.PORTICO_WORKERS?.trim();
  if (!text) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_WORKERS) {
    throw new InputError(`Invalid PORTICO_WORKERS \`${text}\`: expected a number of processes from 1 to ${MAX_WORKERS}.`, {
      hint: 'Unset it for one process, or set it to how many processes should serve connections.',
    });
  }
  return Number(text);
}

/** The most processes `up --workers` and PORTICO_WORKERS take. */
export const MAX_WORKERS = 64;

function rotateLog(file: string): void {
  try {
    if (statSync(file).size > LOG_LIMIT) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

type StartMessage = {type: 'ready' | 'already' | 'error'; message?: string; hint?: string; exit?: number};

/** Start the detached daemon and wait for its word over IPC: ready, already running elsewhere, or why it failed. */
async function spawnDaemon(
  paths: StatePaths,
  port: number | undefined,
  timeoutMs: number | undefined,
  workers: number | undefined,
): Promise<'ready' | 'already'> {
  ensureHome(paths.home);
  rotateLog(paths.log);
  // A file descriptor, handed to the daemon as is: execa's `{file}` form would pipe the output through
  // this CLI, which then could not exit while the daemon runs. (execa's types only name fds 3-9.)
  const fd = openSync(paths.log, 'a', 0o600);
  const log = fd as unknown as 3;
  const entry = path.join(PACKAGE_ROOT, 'dist', 'src', 'daemon', 'entry.js');
  // Loaded only to start a daemon: execa costs ~200 ms of CPU to import, and `ls`, `add` and a
  // bare `up` with the daemon running never need it.
  const {execa} = await import('execa');
  const child = execa(process.execPath, [entry, ...(port === undefined ? [] : ['--port', String(port)])], {
    detached: true,
    stdin: 'ignore',
    stdout: log,
    stderr: log,
    ipc: true,
    env: {
      PORTICO_HOME: paths.home,
      ...(timeoutMs === undefined ? {} : {PORTICO_TIMEOUT: `${timeoutMs}ms`}),
      ...(workers === undefined ? {} : {PORTICO_WORKERS: String(workers)}),
    },
    // It outlives this CLI: no clean-up on exit, no buffering, and its exit is reported below, not thrown.
    cleanup: false,
    buffer: false,
    reject: false,
    windowsHide: true,
  });
  closeSync(fd);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill();
      reject(new UserError('The portico daemon did not become ready within 20 s.', {hint: `See ${paths.log}.`}));
    }, 20_000);
  });
  // The first word from the daemon. Its exit can be seen before the channel's last message is read,
  // so on exit the channel is drained (until 'disconnect') before the exit code is taken as the answer.
  let first: StartMessage | undefined;
  const spoke = new Promise<StartMessage>((resolve) => {
    child.on('message', (message) => {
      first ??= message as StartMessage;
      resolve(first);
    });
  });
  const exited = child.then(async (result) => {
    if (child.connected) await new Promise((resolve) => child.once('disconnect', resolve));
    if (first) return first;
    // Exit 3 is the daemon's word for "another daemon has the control socket".
    if (result.exitCode === ExitCode.busy) return {type: 'already'} as StartMessage;
    throw new UserError(`The portico daemon exited during start-up (code ${result.exitCode ?? result.signal}).`, {
      hint: `Last lines of ${paths.log}:\n${tail(paths.log)}`,
    });
  });
  try {
    const message = await Promise.race([spoke, exited, timeout]);
    if (message.type === 'ready' || message.type === 'already') return message.type;
    throw new UserError(message.message ?? 'The portico daemon failed to start.', {hint: message.hint, exit: message.exit});
  } finally {
    clearTimeout(timer);
    exited.catch(() => undefined);
    if (child.connected) child.disconnect();
    child.unref();
  }
}

function tail(file: string, lines = 10): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Stop the daemon gracefully; true if one was running. Falls back to signals if it does not answer. */
export async function stopDaemon(paths: StatePaths): Promise<boolean> {
  const info = readDaemonInfo(paths);
  // Only a pid that is really our daemon is waited on or signalled: after a crash it may name another program.
  const pid = info && isDaemonProcess(info.pid) ? info.pid : undefined;
  try {
    await call(paths, 'shutdown', undefined, {timeoutMs: 3000});
  } catch (error) {
    const gone = error instanceof DaemonNotRunning || error instanceof DaemonGone;
    if (pid === undefined) {
      if (gone) return false;
      throw error;
    }
    // No answer (its socket is gone, or the daemon is wedged): ask by signal; SIGCONT wakes a stopped one.
    process.kill(pid, 'SIGTERM');
    process.kill(pid, 'SIGCONT');
  }
  const deadline = Date.now() + 7000;
  while (Date.now() < deadline) {
    if (pid !== undefined ? !pidAlive(pid) : (await readStatus(paths)) === undefined) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (pid !== undefined && isDaemonProcess(pid)) {
    process.kill(pid, 'SIGKILL');
    // Its socket file stays behind; the next daemon finds nothing answering on it and replaces it.
    if (readDaemonInfo(paths)?.pid === pid) rmSync(paths.daemon, {force: true});
  }
  return true;
}

export function readDaemonInfo(paths: StatePaths): DaemonInfo | undefined {
  try {
    return JSON.parse(readFileSync(paths.daemon, 'utf8')) as DaemonInfo;
  } catch {
    return undefined;
  }
}
