import {chmodSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {UserError, errorCode} from '../errors.js';
import {withBlock} from './block.js';

/** The hosts file: PORTICO_HOSTS_FILE (tests), else the OS's. */
export function hostsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTICO_HOSTS_FILE) return env.PORTICO_HOSTS_FILE;
  return process.platform === 'win32' ? path.join(env.SystemRoot ?? 'C:\\Windows', 'System32', 'drivers', 'etc', 'hosts') : '/etc/hosts';
}

/**
 * Write portico's block for `hosts` (empty: remove it). Writes only when something changes, atomically
 * (temp + rename beside it), falling back to an in-place write where rename is refused (a bind-mounted
 * /etc/hosts in a container). Returns whether the file changed.
 */
export function syncHostsFile(file: string, hosts: readonly string[]): boolean {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read the hosts file \`${file}\`: ${errorCode(error) ?? (error as Error).message}.`);
  }
  const next = withBlock(content, hosts);
  if (next === content) return false;
  const mode = statSync(file).mode & 0o777;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.portico-${process.pid}`);
  try {
    writeFileSync(tmp, next, {mode});
    chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // no temp file was made
    }
    const code = errorCode(error);
    if (code === 'EACCES' || code === 'EPERM') {
      // A directory we may not write in (or a bind mount): try in place before giving up.
      try {
        writeFileSync(file, next);
        return true;
      } catch {
        // fall through to the clear error
      }
      throw new UserError(`Cannot write the hosts file \`${file}\`: permission denied.`, {
        hint: 'Run `sudo portico hosts sync` (or `sudo portico hosts clean`).',
      });
    }
    if (code === 'EBUSY' || code === 'EXDEV') {
      writeFileSync(file, next);
      return true;
    }
    throw error;
  }
  return true;
}
