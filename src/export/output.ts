import {renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {UserError, errorCode} from '../errors.js';

/**
 * stdout, or FILE written whole (temp file + rename), so a failed export never leaves half a
 * config where a running proxy could reload it.
 */
export function writeOutput(file: string | undefined, text: string, out: (text: string) => void): void {
  if (file === undefined || file === '-') {
    out(text.replace(/\n$/, ''));
    return;
  }
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text, {mode: 0o644});
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, {force: true});
    throw new UserError(`Cannot write \`${file}\`: ${errorCode(error) ?? (error as Error).message}.`);
  }
}
