import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {UserError} from '../../../src/errors.js';
import {withLock} from '../../../src/state/lock.js';
import {gate, waitFor} from '../../helpers/wait.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-lock-'));
  file = path.join(dir, 'start.lock');
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

/** The pid of a process that has exited (and been reaped): no one holds a lock with it. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(result.stdout.toString());
}

describe('the lock file', () => {
  it('holds a lock file naming this process while the work runs, and removes it after', async () => {
    const seen = await withLock(file, async () => readFileSync(file, 'utf8'));
    expect(seen).toBe(String(process.pid));
    expect(existsSync(file)).toBe(false);
  });

  it('removes the lock file when the work fails, passing the failure on', async () => {
    await expect(withLock(file, async () => Promise.reject(new Error('bind failed')))).rejects.toThrow('bind failed');
    expect(existsSync(file)).toBe(false);
  });

  it('lets a second starter in only after the first has finished', async () => {
    const order: string[] = [];
    const release = gate();
    const first = withLock(file, async () => {
      order.push('first in');
      await release.promise;
      order.push('first out');
    });
    await waitFor(() => order.includes('first in'), {what: 'the first starter to hold the lock'});
    // withLock tries at once (synchronously), finds the lock held and polls: it must not get in before the release.
    const second = withLock(file, async () => void order.push('second in'));
    await new Promise<void>((r) => setImmediate(r));
    expect(order).toEqual(['first in']);
    release.open();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });

  it('takes over a lock left by a process that died', async () => {
    writeFileSync(file, String(deadPid()));
    expect(await withLock(file, async () => readFileSync(file, 'utf8'))).toBe(String(process.pid));
  });

  it('gives up on a lock a live process holds, naming that process and the file', async () => {
    writeFileSync(file, String(process.pid));
    const error = await withLock(file, async () => 'never', {timeoutMs: 50}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`Another portico process (pid ${process.pid}) has been starting a daemon for 0.05 s.`);
    expect((error as UserError).hint).toBe(`If no portico is starting a daemon, remove ${file}.`);
    // Not ours to remove.
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
  });

  it('does not take over an empty lock file (a starter between creating and writing it)', async () => {
    writeFileSync(file, '');
    const error = await withLock(file, async () => 'never', {timeoutMs: 50}).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Another portico process (pid unknown) has been starting a daemon for 0.05 s.');
    expect(existsSync(file)).toBe(true);
  });
});
