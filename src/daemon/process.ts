import {readFileSync} from 'node:fs';

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `pid` is alive and, where the OS lets us see it, is a portico daemon. After a crash the
 * pid in daemon.json can be reused by an unrelated program, which must never get our SIGTERM/SIGKILL.
 */
export function isDaemonProcess(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => /daemon[\\/]entry\.js$/.test(arg) || arg === '--foreground');
  } catch {
    return false;
  }
}
