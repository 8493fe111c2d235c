import {execFileSync, type ChildProcess} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CHROMIUM, openChromium, type Page} from '../helpers/chromium.js';
import {ROOT, cli, daemonPort, get, spawnCli, tempHome} from '../helpers/cli.js';
import {startBackend, type Backend} from '../helpers/harness.js';
import {TIMEOUT, exited, outputMatches} from '../helpers/wait.js';

/**
 * README "Copies of an app", end to end: one git repository, two worktrees on two branches, the same
 * package name, a real dev server in each under `portico run`, and a real headless Chromium.
 */
let t: ReturnType<typeof tempHome>;
let scratch: string;
let page: Page | undefined;
let provider: Backend;
let port: number;
const runs: ChildProcess[] = [];

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', ...args], {cwd, stdio: 'pipe'});

async function run(cwd: string): Promise<string> {
  const child = spawnCli(['run', '--', 'node', 'server.js'], t.env, cwd);
  runs.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  await outputMatches(child, /➜ https:\/\/\S+/, () => out, {timeout: TIMEOUT.devServer, what: '`portico run` to print its URL'});
  return out;
}

describe.skipIf(!existsSync(CHROMIUM))('two worktrees of one app behind one stable address, in headless Chromium', () => {
  beforeAll(async () => {
    t = tempHome();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'portico-copies-'));
    const repo = path.join(scratch, 'shop');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    copyFileSync(path.join(ROOT, 'test', 'fixtures', 'copies', 'server.js'), path.join(repo, 'server.js'));
    writeFileSync(path.join(repo, 'package.json'), JSON.stringify({name: '@acme/shop', type: 'module', private: true}));
    writeFileSync(path.join(repo, 'COPY'), 'main\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'shop');
    const fix = path.join(scratch, 'shop-fix');
    git(repo, 'worktree', 'add', '-q', '-b', 'Fix/Login', fix);
    writeFileSync(path.join(fix, 'COPY'), 'fix\n');
    git(fix, 'commit', '-qam', 'fix the login');

    // The OAuth-like provider on its own name: it sends the browser back to the redirect_uri it was given.
    provider = await startBackend('auth', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.writeHead(302, {location: `${url.searchParams.get('redirect_uri')}?code=user&state=${url.searchParams.get('state')}`}).end();
    });
    await cli(['up', '--port', '0'], {env: t.env});
    port = await daemonPort(t.env);
    expect((await cli(['add', 'auth.localhost', String(provider.port)], {env: t.env})).code).toBe(0);
    const home = path.join(scratch, 'user');
    const trust = await cli(['trust', '--stores', 'nss'], {env: {...t.env, HOME: home}});
    expect(trust.code, trust.stdout + trust.stderr).toBe(0);
    await run(repo);
    const second = await run(fix);
    expect(second).toContain('this one is its copy fix-login (branch Fix/Login)');
    expect(second).toContain(`➜ https://fix-login.shop.localhost:${port}/`);
    page = await openChromium(scratch, t.env, home);
  });
  afterAll(async () => {
    page?.close();
    for (const child of runs) child.kill('SIGINT');
    await Promise.all(runs.map((child) => (child.exitCode === null ? exited(child, {what: '`portico run` to stop'}) : undefined)));
    await provider?.close();
    await t?.cleanup();
    if (scratch) rmSync(scratch, {recursive: true, force: true});
  });

  const stable = () => `https://shop.localhost:${port}`;
  const text = () => page!.evaluate('document.body.innerText') as Promise<string>;
  const whoami = async (headers: Record<string, string> = {}) =>
    JSON.parse((await page!.evaluate(`fetch('/whoami', {headers: ${JSON.stringify(headers)}}).then((r) => r.text())`)) as string) as {
      copy: string;
      cookie: string;
      header: string | null;
    };

  it('serves each copy at its own address and the first one at the stable address', async () => {
    expect((await get(port, 'main.shop.localhost', '/whoami', t.home)).body).toContain('"copy":"main"');
    expect((await get(port, 'fix-login.shop.localhost', '/whoami', t.home)).body).toContain('"copy":"fix"');
    expect((await get(port, 'shop.localhost', '/whoami', t.home)).body).toContain('"copy":"main"');
    await page!.navigate(`https://fix-login.shop.localhost:${port}/`);
    expect(await text()).toBe('copy fix');
    await page!.navigate(`${stable()}/`);
    expect(await text()).toBe('copy main');
  });

  it('switches a browser with the link portico serves, and keeps it there', async () => {
    await page!.navigate(`${stable()}/.portico/use/fix-login`);
    expect(await page!.evaluate('location.href')).toBe(`${stable()}/`);
    expect(await text()).toBe('copy fix');
    await page!.navigate(`${stable()}/`);
    expect(await text()).toBe('copy fix');
  });

  it('switches one request with the header, which the backend never sees', async () => {
    await page!.navigate(`${stable()}/.portico/use/main`);
    expect(await whoami()).toMatchObject({copy: 'main'});
    expect(await whoami({'X-Portico-Copy': 'fix-login'})).toEqual({copy: 'fix', cookie: '', header: null});
    expect(await whoami()).toMatchObject({copy: 'main'});
  });

  it('switches with a query parameter on the first request, then drops it from the address', async () => {
    await page!.navigate(`${stable()}/?portico-copy=fix-login&tab=2`);
    expect(await page!.evaluate('location.href')).toBe(`${stable()}/?tab=2`);
    expect(await text()).toBe('copy fix');
  });

  it('brings an OAuth login back to the copy that started it, through the stable callback URL', async () => {
    await page!.navigate(`${stable()}/.portico/use/fix-login`);
    await page!.navigate(`${stable()}/login`);
    expect(await page!.evaluate('location.href')).toBe(`${stable()}/me`);
    expect(await text()).toBe('copy fix session user-fix');
    // The other copy is not logged in by it; its own login does not log the first one out.
    await page!.navigate(`${stable()}/.portico/use/main?to=/me`);
    expect(await text()).toBe('copy main session none');
    await page!.navigate(`${stable()}/login`);
    expect(await text()).toBe('copy main session user-main');
    await page!.navigate(`${stable()}/.portico/use/fix-login?to=/me`);
    expect(await text()).toBe('copy fix session user-fix');
  });

  it('keeps the cookies one copy sets away from the other', async () => {
    await page!.navigate(`${stable()}/.portico/use/fix-login?to=/set?pref=blue`);
    expect(await page!.evaluate('document.cookie')).toContain('pc~fix-login~pref=blue');
    expect((await whoami()).cookie).toContain('pref=blue');
    expect((await whoami({'X-Portico-Copy': 'main'})).cookie).not.toContain('pref');
  });

  it('answers an unknown copy with a page listing the copies, not another copy', async () => {
    const answer = (await page!.evaluate(
      `fetch('/whoami', {headers: {'X-Portico-Copy': 'nope'}}).then(async (r) => r.status + ' ' + (await r.text()))`,
    )) as string;
    expect(answer).toMatch(/^404 /);
    expect(answer).toContain('no copy named <code>nope</code>');
    expect(answer).toContain('/.portico/use/fix-login');
    expect(answer).not.toContain('"copy"');
  });

  it('serves the copy chosen with `portico use` to clients that choose none, and ls shows the copies', async () => {
    const use = await cli(['use', 'fix-login'], {env: t.env});
    expect(use.code, use.stderr).toBe(0);
    expect(use.stdout).toContain(`https://shop.localhost:${port}/ now serves the copy fix-login`);
    expect((await get(port, 'shop.localhost', '/whoami', t.home)).body).toContain('"copy":"fix"');
    const ls = await cli(['ls'], {env: t.env});
    expect(ls.stdout).toMatch(/copy main · branch main · also https:\/\/main\.shop\.localhost/);
    expect(ls.stdout).toMatch(/copy fix-login · branch Fix\/Login · served at https:\/\/shop\.localhost:\d+\/ by default/);
    const json = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {routes: Array<{host: string; copy?: {name: string; serving: boolean}}>};
    expect(json.routes.find((r) => r.host === 'fix-login.shop.localhost')!.copy).toMatchObject({name: 'fix-login', serving: true});
    const unknown = await cli(['use', 'nope'], {env: t.env});
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('No copy `nope`.');
  });
});
