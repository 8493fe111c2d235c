import {existsSync, readFileSync, realpathSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';

/**
 * Vite 8.4 refuses a second dev server in one project ("Found another Vite dev process for this
 * project … Pass --bypass-lock"). `portico run --instances N` starts N on purpose (README "portico
 * run"), so it passes Vite's own `--bypass-lock` to each, but only to a Vite that knows the flag.
 */
export function viteHasLock(argv: readonly string[], cwd: string): boolean {
  const version = viteVersion(argv, cwd);
  if (version === undefined) return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 8 || (major === 8 && minor >= 4);
}

/** The version of the Vite this command runs: a path to vite.js in argv, the project's .bin/vite, or what the project resolves. */
function viteVersion(argv: readonly string[], cwd: string): string | undefined {
  const script = argv.find((w) => /[\\/]vite[\\/]bin[\\/]vite\.m?js$/.test(w));
  const bin = path.join(cwd, 'node_modules', '.bin', 'vite');
  const candidates = [
    () => (script ? path.resolve(cwd, script, '..', '..', 'package.json') : undefined),
    () => (existsSync(bin) ? path.join(realpathSync(bin), '..', '..', 'package.json') : undefined),
    () => createRequire(path.join(cwd, 'package.json')).resolve('vite/package.json'),
  ];
  for (const candidate of candidates) {
    try {
      const file = candidate();
      if (!file) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {name?: string; version?: string};
      if (pkg.name === 'vite' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not this way
    }
  }
  return undefined;
}
