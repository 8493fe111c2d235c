import {execFile, execFileSync} from 'node:child_process';
import {promisify} from 'node:util';
import {BIN} from './cli.js';
import {TIMEOUT} from './wait.js';

/** A private network namespace (as root, or as a mapped root in a user namespace) where 80, 443 and 1443 are ours to take. */
export function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-rn', 'ip', 'link', 'set', 'lo', 'up'], {stdio: 'ignore'});
    return true;
  } catch {
    return false;
  }
}

/** Run a shell script inside a fresh network namespace with loopback up; everything it starts dies with it. $BIN and $NODE name portico and node. */
export async function inNamespace(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  const {stdout} = await promisify(execFile)('unshare', ['-rn', 'sh', '-c', `ip link set lo up\n${script}`], {
    env: {...env, BIN, NODE: process.execPath},
    timeout: TIMEOUT.namespace,
  });
  return stdout;
}
