import os from 'node:os';
import path from 'node:path';
import {execa, type ResultPromise} from 'execa';
import {probePort} from '../transport/probe.js';
import {PACKAGE_ROOT} from '../version.js';

export interface InstanceOptions {
  /** 1-based, for the `name#i` prefix. */
  index: number;
  argv: string[];
  port: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** One line of the instance's output (already split). */
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunningInstance {
  child: ResultPromise;
  /** Resolves when the port accepts connections; rejects if the instance exits first. */
  ready: Promise<void>;
  /** Resolves with the exit code (signals as 128+n) once its output is read. */
  exited: Promise<number>;
  /** The last lines of output, for a crash report. */
  tail: () => string[];
  /** Stop the whole process tree: SIGTERM (the guard passes it to its group), SIGKILL after 5 s. */
  stop: () => Promise<number>;
}

/** Grace before SIGKILL, for an instance asked to stop. */
const STOP_GRACE_MS = 5000;

/** Start one instance under the guard, in its own process group, and watch for its port. */
export function startInstance(options: InstanceOptions): RunningInstance {
  const guard = path.join(PACKAGE_ROOT, 'dist', 'src', 'run', 'guard.js');
  const lines: string[] = [];
  // execa splits the output into lines; each is kept for the crash report and printed with its prefix.
  const lineTo = (stream: 'stdout' | 'stderr') =>
    // biome-ignore lint/correctness/useYield: an execa transform that yields nothing keeps the line out of the child's captured output; onLine prints it.
    function* (line: unknown): Generator<string, void, void> {
      if (typeof line !== 'string') return;
      lines.push(line);
      if (lines.length > 20) lines.shift();
      options.onLine(line, stream);
    };
  const child = execa(process.execPath, [guard, ...options.argv], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    // stdin is the guard's lifeline: when this process dies, the pipe closes and the guard stops the group.
    stdin: 'pipe',
    stdout: lineTo('stdout'),
    stderr: lineTo('stderr'),
    buffer: false,
    reject: false,
    // Its own process group, so one signal reaches the dev server and everything it spawned.
    detached: process.platform !== 'win32',
    // A `portico run` that ends by an exception still stops its instances.
    cleanup: true,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: STOP_GRACE_MS,
    windowsHide: true,
  });
  // Never written to; an EPIPE here must not take `portico run` down.
  child.stdin?.on('error', () => undefined);

  let gone = false;
  const exitStatus = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => {
      gone = true;
      resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 15) : 0));
    }),
  );
  // execa's result waits for the last output; a grandchild that keeps the pipes open must not hold the exit.
  const exited = exitStatus.then(async (code) => {
    await Promise.race([child, new Promise((r) => setTimeout(r, 300))]);
    return code;
  });
  // Readiness is a TCP probe through transport/, the one way portico dials a backend (127.0.0.1 and ::1).
  const ready = waitForPort(options.port, () => gone);

  const stop = async (): Promise<number> => {
    if (!gone) child.kill('SIGTERM');
    const code = await exited;
    // The dev server may have left children in the group after the guard went.
    killGroup(child.pid);
    return code;
  };
  return {child, ready, exited, tail: () => [...lines], stop};
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined || process.platform === 'win32') return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
}

/** Poll TCP connect on 127.0.0.1 and ::1 until one accepts; give up when `gone()` says the process exited. */
async function waitForPort(port: number, gone: () => boolean): Promise<void> {
  for (let delay = 50; ; delay = Math.min(delay * 1.5, 500)) {
    if (gone()) throw new Error('exited before listening');
    if ((await probePort(port, 500)) === undefined) return;
    await new Promise((r) => setTimeout(r, delay));
  }
}
