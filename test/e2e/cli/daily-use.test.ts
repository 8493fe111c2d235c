import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {backend, cli, daemonPort, expectNoStack, get, spawnCli, tempHome} from '../../helpers/cli.js';
import {freePort} from '../../helpers/daemon.js';
import type {ChildProcess} from 'node:child_process';
import {TIMEOUT, outputMatches} from '../../helpers/wait.js';

let t: ReturnType<typeof tempHome>;
let port: number;
let work: string;
beforeAll(async () => {
  t = tempHome();
  await cli(['up', '--port', '0'], {env: t.env});
  port = await daemonPort(t.env);
  work = mkdtempSync(path.join(os.tmpdir(), 'portico-daily-'));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(work, {recursive: true, force: true});
});

/** A project directory with a package.json `name` and a server that prints its argv and serves its directory's name. */
function project(dir: string, name: string): string {
  const root = path.join(work, dir);
  mkdirSync(root, {recursive: true});
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({name}));
  writeFileSync(
    path.join(root, 'server.cjs'),
    `console.log('argv ' + JSON.stringify(process.argv.slice(2)));
require('node:http').createServer((q, s) => s.end('served from ${dir}')).listen(Number(process.env.PORT), process.env.HOST);`,
  );
  return root;
}

async function runUntilServing(args: string[], cwd: string): Promise<{child: ChildProcess; output: () => string}> {
  const child = spawnCli(['run', ...args], t.env, cwd);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  await outputMatches(child, /➜ https:\/\//, () => out, {what: 'portico run to print its URL', timeout: TIMEOUT.devServer});
  return {child, output: () => out};
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

interface LsRoute {
  host: string;
  path: string;
  owner: {kind: string; dir?: string; pids?: number[]};
  targets: Array<{target: string}>;
}
const lsRoutes = async () => (JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {routes: LsRoute[]}).routes;

describe('portico run flags', () => {
  it('takes every flag in the space form before `--`, even when the command repeats them', async () => {
    const dir = project('flags', 'flags');
    const run = await runUntilServing(
      ['--name', 'web', '--instances', '2', '--strategy', 'first', '--', 'node', 'server.cjs', '--name', 'inner', '-i', '3'],
      dir,
    );
    try {
      expect(run.output()).toContain('https://web.localhost:');
      expect(run.output()).toContain('argv ["--name","inner","-i","3"]');
      expect((await get(port, 'web.localhost', '/', t.home)).body).toBe('served from flags');
    } finally {
      await stop(run.child);
    }
  });
});

describe('names never collide silently', () => {
  it('makes a second directory with the same package name a copy on its own address; --name still gives it its own name', async () => {
    const a = project('shop-main', 'shop');
    const b = project('shop-fix-ui', 'shop');
    const first = await runUntilServing(['--', 'node', 'server.cjs'], a);
    try {
      const second = await runUntilServing(['--', 'node', 'server.cjs'], b);
      expect(second.output()).toContain('shop.localhost is served from another directory; this one is its copy shop-fix-ui');
      expect((await get(port, 'shop-fix-ui.shop.localhost', '/', t.home)).body).toBe('served from shop-fix-ui');
      // The stable name still serves the first directory, alone.
      expect((await get(port, 'shop.localhost', '/', t.home)).body).toBe('served from shop-main');
      const route = (await lsRoutes()).find((r) => r.host === 'shop.localhost')!;
      expect(route.owner).toMatchObject({kind: 'run', dir: a});
      expect(route.targets).toHaveLength(1);
      const ls = await cli(['ls'], {env: t.env});
      expect(ls.stdout).toContain(`portico run in ${a}`);
      expect(ls.stdout).toContain(`portico run in ${b}`);
      await stop(second.child);

      const renamed = await runUntilServing(['--name', 'fix-ui', '--', 'node', 'server.cjs'], b);
      expect((await get(port, 'fix-ui.localhost', '/', t.home)).body).toBe('served from shop-fix-ui');
      await stop(renamed.child);
    } finally {
      await stop(first.child);
    }
  });

  it('shows a route added by hand as such in ls and ls --json', async () => {
    await cli(['add', 'manual.localhost', '9'], {env: t.env});
    expect((await lsRoutes()).find((r) => r.host === 'manual.localhost')!.owner).toEqual({kind: 'hand'});
    expect((await cli(['ls'], {env: t.env})).stdout).toMatch(/manual\.localhost.*added by hand/);
    await cli(['rm', 'manual.localhost'], {env: t.env});
  });
});

describe('project routes are explicit', () => {
  it('says when up replaces a route added by hand, and removes routes the project no longer declares', async () => {
    const dir = path.join(work, 'proj');
    mkdirSync(dir, {recursive: true});
    await cli(['add', 'docs.localhost', '4100'], {env: t.env});
    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({routes: {'docs.localhost': 4200, 'blog.localhost': 4300}}));
    const first = await cli(['up'], {env: {...t.env, PORTICO_PORT: '0'}, cwd: dir});
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Replaced `docs\.localhost`, added by hand \(targets http:\/\/localhost:4100\)/);
    let routes = await lsRoutes();
    expect(routes.find((r) => r.host === 'docs.localhost')).toMatchObject({owner: {kind: 'project', dir}, targets: [{target: 'http://localhost:4200'}]});

    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({routes: {'docs.localhost': 4200}}));
    const second = await cli(['up'], {env: {...t.env, PORTICO_PORT: '0'}, cwd: dir});
    expect(second.stdout).toMatch(/Removed `blog\.localhost`: .*portico\.json no longer declares it/);
    routes = await lsRoutes();
    expect(routes.some((r) => r.host === 'blog.localhost')).toBe(false);
    expect(second.stdout).not.toMatch(/Replaced/);
    await cli(['rm', 'docs.localhost'], {env: t.env});
  });
});

describe('one name, one owner', () => {
  it("refuses an add from another project onto a project's route, and takes --join, --replace or another name", async () => {
    const shopA = project('shop-a', 'shop');
    const shopB = project('shop-b', 'shop-b');
    writeFileSync(path.join(shopA, 'portico.json'), JSON.stringify({routes: {'shop.localhost': 9090}}));
    expect((await cli(['up'], {env: {...t.env, PORTICO_PORT: '0'}, cwd: shopA})).code).toBe(0);

    const refused = await cli(['add', 'shop.localhost', '9091'], {env: t.env, cwd: shopB});
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`\`shop.localhost\` is already served by project ${shopA}; this is ${shopB}.`);
    expect(refused.stderr).toMatch(/another name.*--join.*--replace/);
    expectNoStack(refused);
    expect((await lsRoutes()).find((r) => r.host === 'shop.localhost')!.targets.map((x) => x.target)).toEqual(['http://localhost:9090']);

    // From the project's own directory, adding an instance is the project's own business.
    expect((await cli(['add', 'shop.localhost', '9092'], {env: t.env, cwd: shopA})).code).toBe(0);
    const joined = await cli(['add', 'shop.localhost', '9091', '--join'], {env: t.env, cwd: shopB});
    expect(joined.code, joined.stderr).toBe(0);
    expect((await lsRoutes()).find((r) => r.host === 'shop.localhost')!.targets.map((x) => x.target)).toEqual([
      'http://localhost:9090',
      'http://localhost:9092',
      'http://localhost:9091',
    ]);
    await cli(['rm', 'shop.localhost'], {env: t.env});

    expect((await cli(['up'], {env: {...t.env, PORTICO_PORT: '0'}, cwd: shopA})).code).toBe(0);
    const replaced = await cli(['add', 'shop.localhost', '9093', '--replace'], {env: t.env, cwd: shopB});
    expect(replaced.code, replaced.stderr).toBe(0);
    expect((await lsRoutes()).find((r) => r.host === 'shop.localhost')).toMatchObject({owner: {kind: 'hand'}, targets: [{target: 'http://localhost:9093'}]});
    await cli(['rm', 'shop.localhost'], {env: t.env});
  });
});

describe('mistakes are caught when they are made', () => {
  it('warns, without refusing, when nothing listens on a target', async () => {
    const nothing = await freePort();
    const result = await cli(['add', 'later.localhost', String(nothing)], {env: t.env});
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Nothing listens on http://localhost:${nothing} right now`);
    const app = await backend('up');
    const quiet = await cli(['add', 'now.localhost', String(app.port)], {env: t.env});
    expect(quiet.stderr).not.toContain('Nothing listens');
    await app.close();
    await cli(['rm', 'later.localhost'], {env: t.env});
    await cli(['rm', 'now.localhost'], {env: t.env});
  });

  it("refuses a target that is portico's own port, in any loopback spelling", async () => {
    for (const target of [String(port), `http://127.0.0.1:${port}`, `https://localhost:${port}`, `[::1]:${port}`, `http://127.0.0.2:${port}`]) {
      const result = await cli(['add', 'self.localhost', target], {env: t.env});
      expect(result.code, target).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`is portico's own port ${port}`));
      expectNoStack(result);
    }
    const dir = path.join(work, 'selfproj');
    mkdirSync(dir, {recursive: true});
    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({routes: {'self.localhost': port}}));
    const up = await cli(['up'], {env: {...t.env, PORTICO_PORT: '0'}, cwd: dir});
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/portico's own port/);
    expect((await lsRoutes()).some((r) => r.host === 'self.localhost')).toBe(false);
  });

  it('serves a 502 page that polls itself and reloads once the backend answers', async () => {
    const nothing = await freePort();
    await cli(['add', 'down.localhost', String(nothing)], {env: t.env});
    const page = await get(port, 'down.localhost', '/', t.home);
    expect(page.status).toBe(502);
    expect(page.body).toMatch(/fetch\(location\.href,\{method:'HEAD'/);
    expect(page.body).toContain('location.reload()');
    expect(page.body).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    await cli(['rm', 'down.localhost'], {env: t.env});
  });
});

describe('one voice', () => {
  it('answers flag mistakes with one sentence and exit 2, never a usage dump', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['add', 'x.localhost', '9090', '--fast'], /^portico: Unknown flag `--fast` for `portico add`\.\n/],
      [['add', 'x.localhost'], /^portico: Missing TARGET for `portico add`\.\n/],
      [
        ['add', 'x.localhost', '9090', '--strategy', 'fastest'],
        /^portico: Invalid --strategy `fastest`: expected one of round-robin, least-conn, random, first, sticky\.\n/,
      ],
      [['up', '--port', 'abc'], /^portico: Invalid --port `abc`: expected an integer\.\n/],
      [['run', '--name'], /^portico: Missing the value of --name for `portico run`\.\n/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args, {env: t.env});
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(2);
      expect(result.stderr).not.toMatch(/›|USAGE|See more help/);
    }
  });

  it('suggests the nearest command for an unknown one, without prompting', async () => {
    const result = await cli(['lss'], {env: t.env});
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('`lss` is not a portico command. Did you mean `portico ls`?');
    const topic = await cli(['hosts', 'snyc'], {env: t.env});
    expect(topic.stderr).toContain('Did you mean `portico hosts sync`?');
    // A typo followed by the arguments the user meant for the command: named by its first word.
    const typo = await cli(['ad', 'api.localhost', '9090'], {env: t.env});
    expect(typo.code).toBe(127);
    expect(typo.stderr).toContain('`ad` is not a portico command. Did you mean `portico add`?');
    expect((await cli(['remove', 'api.localhost'], {env: t.env})).stderr).toContain('Did you mean `portico rm`?');
    // Asked for JSON: the error is JSON too.
    const json = await cli(['lss', '--json'], {env: t.env});
    expect(json.code).toBe(127);
    expect(JSON.parse(json.stdout)).toMatchObject({error: {message: '`lss` is not a portico command. Did you mean `portico ls`?', exit: 127}});
  });

  it('suggests the nearest flag for a mistyped one, and lists the flags in the usage line', async () => {
    const typo = await cli(['up', '--prot', '8443'], {env: t.env});
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Unknown flag `--prot` for `portico up`. Did you mean `--port`?');
    expect(typo.stderr).toContain('Usage: portico up [--port <value>] [--foreground] [--timeout <value>] [--workers <value>] [--json]');
    expectNoStack(typo);
  });

  it('refuses an argument a command does not take as bad input, and answers `help` and `-v`', async () => {
    const extra = await cli(['ls', 'extra'], {env: t.env});
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('Unexpected argument `extra` for `portico ls`.');
    expectNoStack(extra);
    const help = await cli(['help', 'add'], {env: t.env});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('$ portico add ROUTE TARGET...');
    const version = await cli(['-v'], {env: t.env});
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^portico\/\d+\.\d+\.\d+ /);
  });

  it('prints JSON for every reporting command, errors included', async () => {
    const app = await backend('json');
    const add = await cli(['add', 'json.localhost', String(app.port), '--json'], {env: t.env});
    const added = JSON.parse(add.stdout) as {created: boolean; route: {host: string}; warnings: string[]};
    expect(added).toMatchObject({created: true, route: {host: 'json.localhost'}});
    expect(added.warnings.filter((w) => w.startsWith('Nothing listens'))).toEqual([]);
    const rm = await cli(['rm', 'json.localhost', '--json'], {env: t.env});
    expect(JSON.parse(rm.stdout)).toMatchObject({removed: {host: 'json.localhost'}});
    const up = await cli(['up', '--json'], {env: t.env});
    expect(JSON.parse(up.stdout)).toMatchObject({port});
    const bad = await cli(['add', 'x.example.com', '9090', '--json'], {env: t.env});
    expect(bad.code).not.toBe(0);
    expect(JSON.parse(bad.stdout)).toMatchObject({error: {message: expect.stringContaining('Invalid name `x.example.com`')}});
    const flag = await cli(['ls', '--json', '--nope'], {env: t.env});
    expect(flag.code).toBe(2);
    expect(JSON.parse(flag.stdout)).toMatchObject({error: {message: 'Unknown flag `--nope` for `portico ls`.', exit: 2}});
    await app.close();
  });

  it('prints no colour codes when NO_COLOR is set, even when forced', async () => {
    const result = await cli(['ls'], {env: {...t.env, NO_COLOR: '1', FORCE_COLOR: undefined}});
    expect(result.stdout).not.toMatch(/\u001B\[/);
    const forced = await cli(['ls'], {env: {...t.env, FORCE_COLOR: '1'}});
    expect(forced.stdout).toMatch(/\u001B\[/);
  });
});
