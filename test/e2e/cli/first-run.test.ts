import {execFileSync, spawn} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ROOT} from '../../helpers/cli.js';
import {TIMEOUT, exited, outputMatches} from '../../helpers/wait.js';

// npm install (from npm's cache when it can) and a full tsc build on a busy 2-core machine.
const SETUP_MS = 420_000;

let clone: string;
let env: NodeJS.ProcessEnv;

/** The files a fresh `git clone` of this tree has: tracked ones and new ones not ignored; no node_modules, no dist. */
function freshClone(into: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {cwd: ROOT, encoding: 'utf8'})
    .split('\0')
    .filter(Boolean);
  for (const file of files) if (existsSync(path.join(ROOT, file))) cpSync(path.join(ROOT, file), path.join(into, file), {recursive: true});
}

beforeAll(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-clone-'));
  clone = path.join(dir, 'portico');
  mkdirSync(clone);
  freshClone(clone);
  // As a newcomer's shell: not inside some npm script (CI runs `npx -p node@24 npm test`).
  const shell = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_(config_package|config_yes|lifecycle_|command)/i.test(name) && name !== 'PORTICO_NO_SETUP'),
  );
  env = {
    ...shell,
    HOME: path.join(dir, 'home'),
    PORTICO_HOME: path.join(dir, 'portico-home'),
    PORTICO_PORT: '0',
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    FORCE_COLOR: '0',
  };
  mkdirSync(env.HOME!, {recursive: true});
});
afterAll(() => rmSync(path.dirname(clone), {recursive: true, force: true, maxRetries: 10}));

/** Its own process group, as a terminal gives it: Ctrl-C (SIGINT to the group) reaches npx and the node under it. */
function portico(command: string, args: string[]) {
  const child = spawn(command, args, {cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return {child, stdout: () => stdout, stderr: () => stderr};
}

describe('a fresh clone', () => {
  it(
    "runs README's run command as the very first thing: it installs and builds itself, saying so on stderr",
    async () => {
      expect(existsSync(path.join(clone, 'node_modules'))).toBe(false);
      const up = portico('npx', ['portico', 'up', '--foreground']);
      await outputMatches(up.child, /listening on https:\/\/localhost:\d+/, up.stdout, {what: 'the foreground proxy to listen', timeout: SETUP_MS});
      expect(up.stderr()).toMatch(/portico: installing dependencies for this clone \(npm install/);
      expect(up.stderr()).toMatch(/portico: building for this clone \(npm run build\)/);
      expect(up.stderr()).not.toMatch(/ERR_MODULE_NOT_FOUND|\n\s+at /);
      process.kill(-up.child.pid!, 'SIGINT');
      await exited(up.child, {what: 'the foreground proxy to stop'});
    },
    SETUP_MS + TIMEOUT.daemon,
  );

  it('starts at once the second time, with nothing on stderr and clean JSON on stdout', async () => {
    const ls = portico(process.execPath, ['bin/run.js', 'ls', '--json']);
    expect(await exited(ls.child, {what: 'ls --json'})).toBe(0);
    expect(ls.stderr()).toBe('');
    expect(JSON.parse(ls.stdout())).toMatchObject({daemon: {running: false}});
  });

  it(
    'builds again after a source changes (a pull), keeping stdout for the command',
    async () => {
      const later = new Date(Date.now() + 60_000);
      utimesSync(path.join(clone, 'src', 'version.ts'), later, later);
      const ls = portico(process.execPath, ['bin/run.js', 'ls', '--json']);
      expect(await exited(ls.child, {what: 'ls --json after a rebuild', timeout: SETUP_MS})).toBe(0);
      expect(ls.stderr()).toMatch(/portico: building for this clone/);
      expect(ls.stderr()).not.toMatch(/installing dependencies/);
      expect(JSON.parse(ls.stdout())).toMatchObject({daemon: {running: false}});
    },
    SETUP_MS + TIMEOUT.daemon,
  );
});
