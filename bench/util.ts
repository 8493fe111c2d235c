import {spawn, type ChildProcess, execFileSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import net from 'node:net';

export function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], {stdio: 'pipe'});
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const {port} = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export async function waitPort(port: number, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({host: '127.0.0.1', port});
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Run a command to completion; stdout as text. */
export function run(
  command: string,
  args: string[],
  options: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {},
): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({code: code ?? 1, stdout, stderr});
    });
    child.on('error', () => resolve({code: 127, stdout, stderr}));
  });
}

/** Start a long-running process; killed (whole group) by the returned stop. */
export function daemon(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): {child: ChildProcess; stop: () => void} {
  const child = spawn(command, args, {env, stdio: 'ignore', detached: true});
  return {
    child,
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // gone
      }
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux everywhere). */
const CLK_TCK = 100;

/** pid and every live descendant (nginx's workers, portless under unshare and bash). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) (children.get(stat.ppid) ?? children.set(stat.ppid, []).get(stat.ppid)!).push(Number(entry));
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** utime, stime (ticks) and ppid of one process, or undefined once it is gone. */
function procStat(pid: number): {ppid: number; ticks: number} | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12])};
  } catch {
    return undefined;
  }
}

/** RSS in MB of pid and its descendants together (a daemon with its worker processes). */
export function treeRssMb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + rssMb(p), 0);
}

/** CPU seconds (user + system, all threads) used so far by pid and its descendants. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) ticks += procStat(p)?.ticks ?? 0;
  return ticks / CLK_TCK;
}

/** Run `load` and return its result with the CPU seconds pid's process tree spent meanwhile (undefined without a pid). */
export async function withCpu<T>(pid: number | undefined, load: () => Promise<T>): Promise<{result: T; cpu?: number}> {
  const before = pid === undefined ? 0 : cpuSeconds(pid);
  const result = await load();
  return pid === undefined ? {result} : {result, cpu: cpuSeconds(pid) - before};
}
