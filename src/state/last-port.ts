import {readFileSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from './atomic.js';
import type {StatePaths} from './home.js';

/**
 * The HTTPS port portico last ran on, kept after it stops (README "Ports"): a bare `up` starts there
 * again so open URLs keep working, and a stopped `ls` shows the URLs it will serve.
 */
export function lastPortFile(paths: StatePaths): string {
  return path.join(paths.home, 'last-port');
}

export function readLastPort(paths: StatePaths): number | undefined {
  try {
    const text = readFileSync(lastPortFile(paths), 'utf8').trim();
    const port = Number(text);
    return /^\d+$/.test(text) && port >= 1 && port <= 65535 ? port : undefined;
  } catch {
    return undefined;
  }
}

export function writeLastPort(paths: StatePaths, port: number): void {
  writeFileAtomic(lastPortFile(paths), `${port}\n`, 0o600);
}
