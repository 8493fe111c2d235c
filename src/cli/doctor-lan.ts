import {pidAlive} from '../state/pid.js';
import {readLanState} from '../lan/state.js';
import type {Check} from './doctor-check.js';

/** Whether portico listens beyond loopback (README "Phones on the LAN"), and whether that listener still runs. */
export function lanCheck(home: string, alive: (pid: number) => boolean = pidAlive): Check {
  const state = readLanState(home);
  if (!state) return {name: 'lan', ok: true, detail: 'sharing off: portico listens on loopback only'};
  const where = `${state.address}:${state.port}`;
  if (!alive(state.pid)) {
    return {
      name: 'lan',
      ok: true,
      warn: true,
      detail: `lan.json says routes are shared on ${where}, but its listener (pid ${state.pid}) is not running: nothing listens beyond loopback`,
      fix: 'Share again with `portico lan on`, or clear it with `portico lan off`.',
    };
  }
  return {
    name: 'lan',
    ok: true,
    detail: `sharing on: listening beyond loopback on ${where} (listener pid ${state.pid} alive) for ${state.shares.map((s) => `${s.name} -> ${s.host}`).join(', ')}`,
  };
}
