import type {ChildProcess} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';

/**
 * How long a slow real-world step may take, one constant per kind. Each is used unchanged at
 * every level (the child process's own timeout, the waitFor deadline, the test and the hook), so
 * a slow step fails with its own message instead of an outer limit cutting it off mid-cleanup.
 * They bound a hang; they are never a measurement. Generous on purpose: on a shared 2-core machine
 * at load 15 one CLI call (a fresh node + oclif) was seen taking over 10 s.
 */
export const TIMEOUT = {
  /** A daemon starting or stopping, a CLI call, a log line arriving: loopback only. */
  daemon: 120_000,
  /**
   * Many CLIs started at once (20 fresh node + oclif processes): they share the CPU, so on a loaded
   * 2-core machine each one takes as long as all of them (seen: over 120 s at load 27).
   */
  crowd: 480_000,
  /** A dev server (`portico run`, Vite) starting and reporting ready. */
  devServer: 180_000,
  /** Entering a private network/user namespace and running a system tool there (update-ca-certificates, certutil). */
  namespace: 240_000,
  /** A headless browser starting, loading and answering. */
  browser: 240_000,
} as const;

/**
 * The limit of any one test or hook (vitest's default here): above the largest step timeout, so a
 * step that hangs fails with its own message, and its cleanup still runs, before vitest cuts in.
 */
export const TEST_TIMEOUT = TIMEOUT.namespace + TIMEOUT.daemon;

/** A promise the test resolves by hand: a backend holds its answer until the test releases it. */
export function gate(): {promise: Promise<void>; open: () => void} {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return {promise, open};
}

export interface WaitOptions {
  /** Milliseconds before giving up. Default TIMEOUT.daemon. */
  timeout?: number;
  /** What is awaited, in words: the error says `timed out after N ms waiting for <what>`. */
  what: string;
  /** Milliseconds between checks. Default 25. */
  interval?: number;
  /** Extra context for the error (a screen, a log): called only on timeout. */
  detail?: () => string;
}

/**
 * Resolves with the first truthy value `condition` returns; rejects naming `what` when the
 * deadline passes. The deadline only bounds a hang: the test waits for the event itself.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions): Promise<NonNullable<T>> {
  const timeout = options.timeout ?? TIMEOUT.daemon;
  const deadline = performance.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      // A check that throws (a refused connection, a half-written file) is "not yet".
      lastError = error;
    }
    if (performance.now() > deadline) {
      const cause = lastError instanceof Error ? `\nlast error: ${lastError.message}` : '';
      const detail = options.detail ? `\n${options.detail()}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${options.what}${cause}${detail}`);
    }
    await sleep(options.interval ?? 25);
  }
}

/** Resolves with the exit code when `child` exits; rejects naming `what` if it is still running after `timeout`. */
export function exited(child: ChildProcess, options: {timeout?: number; what: string}): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? 1);
  const timeout = options.timeout ?? TIMEOUT.daemon;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms waiting for ${options.what}`)), timeout);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

/**
 * Resolves with the match once `pattern` shows in the child's output (read through `output`, which
 * the caller's own data listeners keep up to date); rejects with that output if the child exits
 * first or `timeout` passes. Checked on every chunk the child writes: no polling.
 */
export function outputMatches(
  child: ChildProcess,
  pattern: RegExp,
  output: () => string,
  options: {timeout?: number; what: string},
): Promise<RegExpMatchArray> {
  const timeout = options.timeout ?? TIMEOUT.daemon;
  return new Promise((resolve, reject) => {
    const streams = [child.stdout, child.stderr].filter((s) => s !== null);
    const done = (error?: Error, match?: RegExpMatchArray) => {
      clearTimeout(timer);
      for (const s of streams) s.off('data', check);
      child.off('exit', gone);
      if (error) reject(error);
      else resolve(match!);
    };
    const check = () => {
      const match = pattern.exec(output());
      if (match) done(undefined, match);
    };
    const gone = () => {
      // The last chunks may still be in flight when 'exit' fires: look once more after they land.
      setImmediate(() => {
        const match = pattern.exec(output());
        if (match) done(undefined, match);
        else done(new Error(`the process exited (${child.exitCode ?? child.signalCode}) before ${options.what}:\n${output()}`));
      });
    };
    const timer = setTimeout(() => done(new Error(`timed out after ${timeout} ms waiting for ${options.what}:\n${output()}`)), timeout);
    for (const s of streams) s.on('data', check);
    child.on('exit', gone);
    check();
    if (child.exitCode !== null || child.signalCode !== null) gone();
  });
}
