import {existsSync, readFileSync, realpathSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';

/**
 * Dev servers that refuse a second copy of themselves in one project. `portico run --instances N`
 * starts N on purpose (README "portico run"), so it gets past each lock the way the tool allows, or
 * says why it cannot before starting anything.
 */

/**
 * Vite 8.4 refuses a second dev server in one project ("Found another Vite dev process for this
 * project … Pass --bypass-lock"): portico passes Vite's own `--bypass-lock` to each instance, but
 * only to a Vite that knows the flag.
 */
export function viteHasLock(argv: readonly string[], cwd: string): boolean {
  return atLeast(packageVersion('vite', argv, cwd), 8, 4);
}

/** Files Next.js reads its configuration from. */
const NEXT_CONFIGS = ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts', 'next.config.mts'];

/**
 * Next.js 16 locks its build directory (`.next/dev/lock`) for `next dev`: a second one in the same
 * project exits ("Another next dev server is already running"), and no flag or variable gets past it.
 * Separate build directories do, and a config can set that up from PORTICO_INSTANCE, which portico
 * gives each instance (or turn the lock off with `experimental.lockDistDir: false`). The sentence that
 * says so, or undefined when there is no such lock or the config already deals with it.
 */
export function nextLockRefusal(argv: readonly string[], cwd: string, instances: number): string | undefined {
  const version = packageVersion('next', argv, cwd);
  if (!atLeast(version, 16, 0)) return undefined;
  const config = NEXT_CONFIGS.map((name) => path.join(cwd, name)).find((file) => existsSync(file));
  if (config && /PORTICO_INSTANCE|lockDistDir/.test(readFileSync(config, 'utf8'))) return undefined;
  return (
    `Next.js ${version} runs one \`next dev\` per project directory (it locks .next/dev), so \`--instances ${instances}\` cannot start a second one here. ` +
    `Give each instance its own build directory in ${config ? path.basename(config) : 'next.config.mjs'}: ` +
    "`distDir: process.env.PORTICO_INSTANCE ? '.next-' + process.env.PORTICO_INSTANCE : '.next'` " +
    '(portico sets PORTICO_INSTANCE to 1, 2, … for each instance), or run one instance.'
  );
}

function atLeast(version: string | undefined, major: number, minor: number): boolean {
  if (version === undefined) return false;
  const [m = 0, n = 0] = version.split('.').map(Number);
  return m > major || (m === major && n >= minor);
}

/**
 * The version of the package this command runs: a path to its bin script in argv, the project's
 * .bin link, or what the project resolves.
 */
function packageVersion(name: string, argv: readonly string[], cwd: string): string | undefined {
  const inArgv = new RegExp(`[\\\\/]${name}[\\\\/](bin|dist[\\\\/]bin)[\\\\/]${name}(\\.m?js)?$`);
  const script = argv.find((w) => inArgv.test(w));
  const bin = path.join(cwd, 'node_modules', '.bin', name);
  const candidates = [
    () => (script ? findPackageJson(path.resolve(cwd, script), name) : undefined),
    () => (existsSync(bin) ? findPackageJson(realpathSync(bin), name) : undefined),
    () => createRequire(path.join(cwd, 'package.json')).resolve(`${name}/package.json`),
  ];
  for (const candidate of candidates) {
    try {
      const file = candidate();
      if (!file) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {name?: string; version?: string};
      if (pkg.name === name && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not this way
    }
  }
  return undefined;
}

/** The package.json of package `name` above a file inside it (`…/vite/bin/vite.js`, `…/next/dist/bin/next`). */
function findPackageJson(file: string, name: string): string | undefined {
  let dir = path.dirname(file);
  for (let i = 0; i < 4; i++) {
    if (path.basename(dir) === name && existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'package.json');
    dir = path.dirname(dir);
  }
  return undefined;
}
