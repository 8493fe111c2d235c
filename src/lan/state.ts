import {readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../state/atomic.js';
import type {LanShare} from './plan.js';

/** `lan.json` in PORTICO_HOME while portico listens on the LAN: what `ls` and `lan off` read. */
export interface LanState {
  pid: number;
  address: string;
  port: number;
  shares: LanShare[];
}

export function lanStatePath(home: string): string {
  return path.join(home, 'lan.json');
}

export function readLanState(home: string): LanState | undefined {
  try {
    return JSON.parse(readFileSync(lanStatePath(home), 'utf8')) as LanState;
  } catch {
    return undefined;
  }
}

export function writeLanState(home: string, state: LanState): void {
  writeFileAtomic(lanStatePath(home), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}

export function clearLanState(home: string): void {
  rmSync(lanStatePath(home), {force: true});
}
