import {execFile} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ROOT} from '../../helpers/cli.js';

const run = promisify(execFile);
// npm install fetches portico's dependencies from the registry: slow on a busy machine.
const INSTALL_MS = 300_000;

let dir: string;
let tarball: string;
let files: string[];
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-pack-'));
  // `npx -p node@24 npm test` (CI) leaves npm_config_package=node@24 behind, which would make the
  // inner npx fetch node@24 again; the other npm_config_* stay (the registry's cafile is among them).
  const shell = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_(config_package|config_yes|lifecycle_)/i.test(name)));
  env = {
    ...shell,
    HOME: path.join(dir, 'home'),
    PORTICO_HOME: path.join(dir, 'portico'),
    npm_config_cache: path.join(dir, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    FORCE_COLOR: '0',
  };
  delete env.npm_command;
  mkdirSync(env.HOME!, {recursive: true});
  // --ignore-scripts: pack the dist/ `npm test` just built; prepack would empty dist/ under other running suites.
  const {stdout} = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {cwd: ROOT, env, timeout: 120_000});
  const [packed] = JSON.parse(stdout) as Array<{filename: string; files: Array<{path: string}>}>;
  tarball = path.join(dir, packed!.filename);
  files = packed!.files.map((f) => f.path);
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('the npm package', () => {
  it('ships only what runs: the CLI, its commands, the schema; no benchmark, tests, fixtures or source maps', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/run.js',
        'dist/commands/add.js',
        'dist/src/trust/index.js',
        'oclif.manifest.json',
        'schema/portico.schema.json',
        'README.md',
        'package.json',
      ]),
    );
    const unwanted = files.filter((f) => /^dist\/(bench|test)\/|^(test|bench|src|commands|scripts)\/|fixtures|\.map$|\.ts$|tsconfig/.test(f));
    expect(unwanted).toEqual([]);
    // Every command the manifest lists is in the tarball.
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>};
    for (const id of Object.keys(manifest.commands)) expect(files).toContain(`dist/commands/${id.replace(/:/g, '/')}.js`);
  });

  it(
    'installs into a fresh project with no warnings, and `npx portico` and `npx proxy` run there',
    async () => {
      const project = path.join(dir, 'shop');
      mkdirSync(project);
      writeFileSync(path.join(project, 'package.json'), JSON.stringify({name: 'shop', version: '1.0.0', private: true}));
      const install = await run('npm', ['install', '-D', tarball], {cwd: project, env, timeout: INSTALL_MS});
      expect(install.stdout).toMatch(/added \d+ packages/);
      expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/\bwarn\b/i);

      // --no: the project's own bin or an error, never a download of some other package.
      const version = await run('npx', ['--no', '--', 'portico', '--version'], {cwd: project, env, timeout: 60_000});
      expect(version.stdout).toMatch(/^portico\/0\.1\.0 /);
      const ls = await run('npx', ['--no', '--', 'proxy', 'ls'], {cwd: project, env, timeout: 60_000});
      expect(ls.stdout).toMatch(/^portico not running: start it with `portico up`\nNo routes\./);
      expect(ls.stderr).toBe('');
    },
    INSTALL_MS + 120_000,
  );
});
