import {spawn, type ChildProcess} from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
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
  child: ChildProcess;
  /** Resolves when the port accepts connections; rejects if the instance exits first. */
  ready: Promise<void>;
  /** Resolves with the exit code (signals as 128+n) once its output is read. */
  exited: Promise<number>;
  /** The last lines of output, for a crash report. */
  tail: () => string[];
  /** Stop the whole process tree: SIGTERM to the group, SIGKILL after 5 s. */
  stop: () => Promise<number>;
}

/** Start one instance under the guard, in its own process group, and watch for its port. */
export function startInstance(options: InstanceOptions): RunningInstance {
  const guard = path.join(PACKAGE_ROOT, 'dist', 'src', 'run', 'guard.js');
  const child = spawn(process.execPath, [guard, ...options.argv], {
    cwd: options.cwd,
    env: options.env,
    // stdin is the guard's lifeline: when this process dies, the pipe closes and the guard stops the group.
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  // Never written to; an EPIPE here must not take `portico run` down.
  child.stdin!.on('error', () => undefined);
  const lines: string[] = [];
  const emit = (line: string, stream: 'stdout' | 'stderr') => {
    lines.push(line);
    if (lines.length > 20) lines.shift();
    options.onLine(line, stream);
  };
  const drained = (['stdout', 'stderr'] as const).map(
    (stream) =>
      new Promise<void>((resolve) => {
        let rest = '';
        child[stream]!.setEncoding('utf8');
        child[stream]!.on('data', (chunk: string) => {
          rest += chunk;
          let nl: number;
          while ((nl = rest.indexOf('\n')) !== -1) {
            emit(rest.slice(0, nl).replace(/\r$/, ''), stream);
            rest = rest.slice(nl + 1);
          }
        });
        child[stream]!.on('close', () => {
          // A last line without a newline (a crash message written with process.stdout.write).
          if (rest !== '') emit(rest.replace(/\r$/, ''), stream);
          rest = '';
          resolve();
        });
      }),
  );
  const exitStatus = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 15) : 0))));
  // 'exit' can come before the last output is read: wait for the pipes, but not for a grandchild that keeps them open.
  const exited = exitStatus.then(async (code) => {
    await Promise.race([Promise.all(drained), new Promise((r) => setTimeout(r, 300))]);
    return code;
  });
  let gone = false;
  void exitStatus.then(() => (gone = true));
  const ready = waitForPort(options.port, () => gone);

  const stop = async (): Promise<number> => {
    if (!gone) {
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      // The dev server may have left children in the group after the guard went.
      signalGroup(child, 'SIGKILL');
      return code;
    }
    return exited;
  };
  return {child, ready, exited, tail: () => [...lines], stop};
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], {stdio: 'ignore'});
    else process.kill(-child.pid, signal);
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
