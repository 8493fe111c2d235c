import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {InputError} from '../errors.js';

/** The package manager a project uses, from its lockfile; npm when there is none. */
function runnerOf(cwd: string): string {
  if (existsSync(path.join(cwd, 'pnpm-lock.yaml'))) return 'pnpm';
  if (existsSync(path.join(cwd, 'yarn.lock'))) return 'yarn';
  if (existsSync(path.join(cwd, 'bun.lockb')) || existsSync(path.join(cwd, 'bun.lock'))) return 'bun';
  return 'npm';
}

/**
 * A bare `portico run` runs the project's `dev` script (README "portico run"), with the project's
 * own package manager: `npm run dev`, `pnpm run dev`, ...
 */
export function devScriptCommand(cwd: string): string[] {
  const file = path.join(cwd, 'package.json');
  let why: string;
  try {
    const scripts = (JSON.parse(readFileSync(file, 'utf8')) as {scripts?: Record<string, unknown>} | null)?.scripts;
    if (typeof scripts?.dev === 'string') return [runnerOf(cwd), 'run', 'dev'];
    why = `\`${file}\` has no \`dev\` script to run by default`;
  } catch (error) {
    why =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `there is no package.json in \`${cwd}\` to take a \`dev\` script from`
        : `\`${file}\` is not valid JSON`;
  }
  throw new InputError(`Give the command to run after \`--\`, e.g. \`portico run -- npm run dev\`: ${why}.`);
}
