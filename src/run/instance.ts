import {spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {tcpConnect} from '../balance/health.js';
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
  /** Resolves with the exit code (signals as 128+n). */
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
  const lines: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    let rest = '';
    child[stream]!.setEncoding('utf8');
    child[stream]!.on('data', (chunk: string) => {
      rest += chunk;
      let nl: number;
      while ((nl = rest.indexOf('\n')) !== -1) {
        const line = rest.slice(0, nl).replace(/\r$/, '');
        rest = rest.slice(nl + 1);
        lines.push(line);
        if (lines.length > 20) lines.shift();
        options.onLine(line, stream);
      }
    });
  }
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1))));
  let gone = false;
  void exited.then(() => (gone = true));
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
    for (const host of ['127.0.0.1', '::1']) if ((await tcpConnect(host, port, 500)) === undefined) return;
    await new Promise((r) => setTimeout(r, delay));
  }
}
