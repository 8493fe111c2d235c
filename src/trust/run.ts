import {spawn} from 'node:child_process';
import type {RealUser} from '../state/home.js';
import type {Runner} from './types.js';

/** The real runner: no shell, output captured; as the invoking user under sudo when asked. */
export function createRunner(user: RealUser): Runner {
  return (command, args, options = {}) =>
    new Promise((resolve) => {
      const asUser = options.asUser && user.uid !== undefined && process.getuid?.() === 0;
      const child = spawn(command, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(asUser ? {uid: user.uid, gid: user.gid ?? user.uid, env: {...process.env, HOME: user.home, USER: user.name}} : {}),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('error', (error: NodeJS.ErrnoException) => resolve({code: error.code === 'ENOENT' ? 127 : 1, stdout, stderr: stderr || error.message}));
      child.on('close', (code) => resolve({code: code ?? 1, stdout, stderr}));
      child.stdin.end(options.input);
    });
}

/** True when `command` runs at all (found on PATH). */
export async function has(run: Runner, command: string, probe: string[] = ['--version']): Promise<boolean> {
  return (await run(command, probe)).code !== 127;
}
