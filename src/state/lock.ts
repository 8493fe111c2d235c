import {openSync, closeSync, readFileSync, unlinkSync, writeSync} from 'node:fs';
import {UserError, errorCode} from '../errors.js';
import {pidAlive} from './pid.js';

export interface LockOptions {
  /** How long to wait for a live holder. Default 10 s. */
  timeoutMs?: number;
  /** What a holder does, for the message when the wait runs out. Default "starting a daemon". */
  doing?: string;
}

/**
 * Run `fn` while holding an exclusive lock file (created with O_EXCL, holding our pid). Daemons
 * starting at once bind the control socket one after the other, so exactly one wins and the stale
 * socket of a crashed daemon is removed by one of them only; processes making a CA at once make one.
 * A lock whose holder died (a Ctrl-C, a crash) is taken over at once.
 */
export async function withLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const {timeoutMs = 10_000, doing = 'starting a daemon'} = options;
  const deadline = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const holder = Number(readQuietly(file));
    // An empty file is a holder between open and write: give it the benefit of the doubt until the deadline.
    if (Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) {
      removeQuietly(file);
      continue;
    }
    if (Date.now() > deadline) {
      throw new UserError(`Another portico process (pid ${holder || 'unknown'}) has been ${doing} for ${timeoutMs / 1000} s.`, {
        hint: `If no portico is ${doing}, remove ${file}.`,
      });
    }
    await new Promise((r) => setTimeout(r, wait));
  }
  try {
    return await fn();
  } finally {
    removeQuietly(file);
  }
}

function readQuietly(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
