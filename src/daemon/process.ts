import {readFileSync} from 'node:fs';
import {pidAlive} from '../state/pid.js';

/**
 * True when `pid` is alive and, where the OS lets us see it, is a portico daemon. After a crash the
 * pid in daemon.json can be reused by an unrelated program, which must never get our SIGTERM/SIGKILL.
 */
export function isDaemonProcess(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => /daemon[\\/]entry\.js$/.test(arg) || arg === '--foreground');
  } catch {
    return false;
  }
}
