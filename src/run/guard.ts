/**
 * Runs one dev-server instance for `portico run`: `node guard.js <command...>`. It leads its own
 * process group (started detached), so stopping it stops the whole tree: a SIGTERM/SIGINT/SIGHUP to
 * the guard goes to the group, and SIGKILL follows after 5 s. It watches its stdin, a pipe from
 * `portico run`: when that closes (even after a SIGKILL of `portico run`), it stops the group, so no
 * orphaned dev server keeps the port.
 */
import os from 'node:os';
import {execa} from 'execa';
import {ExitCode} from '../errors.js';

const [command, ...args] = process.argv.slice(2);
if (!command) process.exit(ExitCode.usage);

// The guard itself stops the group, so execa's own clean-up on exit is not wanted here.
const child = execa(command, args, {stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32', reject: false, cleanup: false});
let stopping = false;

const stopGroup = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  try {
    // The whole group: the dev server and anything it spawned (npm -> sh -> vite ...). The guard gets
    // it too and ignores it (below): it exits with the command's status once the command is gone.
    process.kill(-process.pid, signal);
  } catch {
    child.kill(signal);
  }
  setTimeout(() => {
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000).unref();
};

process.stdin.on('data', () => undefined);
process.stdin.on('end', () => stopGroup('SIGTERM'));
process.stdin.on('close', () => stopGroup('SIGTERM'));
process.stdin.on('error', () => stopGroup('SIGTERM'));
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stopGroup(signal));

const result = await child;
if (result.failed && result.exitCode === undefined && result.signal === undefined) {
  // It never started: not found, not executable.
  console.error(`portico run: cannot start ${command}: ${result.originalMessage ?? result.shortMessage}`);
  process.exit(ExitCode.commandNotFound);
}
// What the command left behind in the group (a watcher, an esbuild service) goes with it.
if (process.platform !== 'win32') {
  stopping = true;
  try {
    process.kill(-process.pid, 'SIGTERM');
  } catch {
    // nothing left
  }
}
process.exit(result.exitCode ?? (result.signal ? 128 + (os.constants.signals[result.signal] ?? 15) : 1));
