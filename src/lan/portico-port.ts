import {readDaemonInfo} from '../daemon/lifecycle.js';
import type {StatePaths} from '../state/home.js';
import {readLastPort} from '../state/last-port.js';

/**
 * portico's HTTPS port on loopback now, read on every LAN request: after `portico down && portico up`
 * on another port the LAN listener follows without `lan on` again. daemon.json while the daemon
 * runs, else the port it ran on last, else the one it had when sharing started.
 */
export function currentPorticoPort(paths: StatePaths, atStart: number): number {
  return readDaemonInfo(paths)?.port ?? readLastPort(paths) ?? atStart;
}
