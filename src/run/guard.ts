/**
 * Runs one dev-server instance for `portico run`: `node guard.js <command...>`. It leads its own
 * process group (spawned detached), so `portico run` stops the whole tree with one signal to the group.
 * It watches its stdin, a pipe from `portico run`: when that closes (even after a SIGKILL of
 * `portico run`), it stops the group, so no orphaned dev server keeps the port.
 */
import {spawn} from 'node:child_process';
import os from 'node:os';

const [command, ...args] = process.argv.slice(2);
if (!command) process.exit(2);

const child = spawn(command, args, {stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32'});
let stopping = false;

const stopGroup = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  try {
    // The whole group: the dev server and anything it spawned (npm -> sh -> vite ...).
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
// The group signal reaches the guard too: let the child go first, then exit with its status.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);

child.on('error', (error) => {
  console.error(`portico run: cannot start ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  // What the command left behind in the group (a watcher, an esbuild service) goes with it; the
  // guard ignores SIGTERM itself (above), so it still exits with the command's status.
  if (process.platform !== 'win32') {
    try {
      process.kill(-process.pid, 'SIGTERM');
    } catch {
      // nothing left
    }
  }
  process.exit(code ?? (signal ? 128 + (signalNumber(signal) ?? 15) : 1));
});

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return os.constants.signals[signal];
}
