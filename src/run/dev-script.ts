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
  let scripts: Record<string, unknown> | undefined;
  try {
    scripts = (JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as {scripts?: Record<string, unknown>}).scripts;
  } catch {
    // no package.json, or not JSON: no script to run
  }
  if (typeof scripts?.dev !== 'string') {
    throw new InputError(
      `Give the command to run after \`--\`, e.g. \`portico run -- npm run dev\`: ${path.join(cwd, 'package.json')} has no \`dev\` script to run by default.`,
    );
  }
  return [runnerOf(cwd), 'run', 'dev'];
}
