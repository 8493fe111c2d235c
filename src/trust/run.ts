import {execa} from 'execa';
import type {RealUser} from '../state/home.js';
import type {RunResult, Runner} from './types.js';
import {ExitCode} from '../errors.js';

/**
 * The real runner, through execa: no shell, output captured, never throws (a store reads the exit
 * code); as the invoking user under sudo when asked, so NSS databases stay owned by that user.
 * A program that is not installed reads as exit code 127, as a shell would say.
 */
export function createRunner(user: RealUser): Runner {
  return async (command, args, options = {}) => {
    const asUser = options.asUser && user.uid !== undefined && process.getuid?.() === 0;
    const result = await execa(command, args, {
      reject: false,
      stripFinalNewline: false,
      ...(options.input === undefined ? {stdin: 'ignore'} : {input: options.input}),
      ...(asUser ? {uid: user.uid, gid: user.gid ?? user.uid, env: {HOME: user.home, USER: user.name}} : {}),
    });
    return toRunResult(result);
  };
}

interface Finished {
  exitCode?: number;
  code?: string;
  stdout?: unknown;
  stderr?: unknown;
  shortMessage?: string;
}

function toRunResult(result: Finished): RunResult {
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  if (result.exitCode !== undefined) return {code: result.exitCode, stdout, stderr};
  // No exit code: the program never ran (ENOENT: not installed) or died by a signal.
  return {code: result.code === 'ENOENT' ? ExitCode.commandNotFound : ExitCode.failure, stdout, stderr: stderr || (result.shortMessage ?? 'failed to run')};
}
