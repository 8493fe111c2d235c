import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {copyIdentity, copySwitchOf, gitBranch, planCopy} from '../../../src/run/copy.js';
import type {Route} from '../../../src/routes/types.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'portico-copy-'));
afterAll(() => rmSync(tmp, {recursive: true, force: true}));
const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', ...args], {cwd, stdio: 'pipe'});

describe('a directory knows which copy of its app it is', () => {
  it('reads the branch of a clone and of a linked worktree, also from a subdirectory', () => {
    const repo = path.join(tmp, 'shop');
    mkdirSync(path.join(repo, 'web'), {recursive: true});
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'web', 'x'), 'x');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'x');
    git(repo, 'worktree', 'add', '-q', '-b', 'Feature/Fix_Login', path.join(tmp, 'shop-fix'));
    expect(gitBranch(path.join(repo, 'web'))).toBe('main');
    expect(copyIdentity(path.join(tmp, 'shop-fix'))).toEqual({name: 'feature-fix-login', branch: 'Feature/Fix_Login'});
    git(path.join(tmp, 'shop-fix'), 'checkout', '-q', '--detach');
    expect(copyIdentity(path.join(tmp, 'shop-fix')).branch).toMatch(/^HEAD at [0-9a-f]{7}$/);
  });

  it('is named after its directory outside git', () => {
    const dir = path.join(tmp, 'outside', 'My App');
    mkdirSync(dir, {recursive: true});
    expect(copyIdentity(dir)).toEqual({name: 'my-app'});
  });

  it('reads the switch names from portico.json and names a bad one', () => {
    const dir = path.join(tmp, 'named');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({copies: {header: 'X-Branch'}}));
    expect(copySwitchOf(dir)).toEqual({header: 'x-branch', cookie: 'portico-copy', query: 'portico-copy'});
    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({copies: {query: 'a b'}}));
    expect(() => copySwitchOf(dir)).toThrow(/Invalid `.*portico\.json`: `copies\.query` "a b" is not a valid name/);
  });
});

describe('where a run goes', () => {
  const owned = (host: string, dir: string, extra: Partial<Route> = {}): Route => ({
    host,
    path: '/',
    targets: [{url: 'http://localhost:1', owner: 1, dir}],
    strategy: 'round-robin',
    stripPrefix: false,
    ...extra,
  });

  it('takes the stable host when it is free or its own', () => {
    expect(planCopy([], 'shop.localhost', '/', '/src/shop', {name: 'main', branch: 'main'})).toEqual({
      host: 'shop.localhost',
      copy: {name: 'main', branch: 'main'},
    });
    expect(planCopy([owned('shop.localhost', '/src/shop')], 'shop.localhost', '/', '/src/shop', {name: 'main'}).host).toBe('shop.localhost');
  });

  it('becomes a copy beside another directory, with a distinct name on the same branch', () => {
    const routes = [owned('shop.localhost', '/src/shop', {copy: {name: 'main'}})];
    expect(planCopy(routes, 'shop.localhost', '/', '/src/shop-fix', {name: 'fix-login', branch: 'fix/login'})).toEqual({
      host: 'fix-login.shop.localhost',
      copy: {name: 'fix-login', of: 'shop.localhost', branch: 'fix/login'},
    });
    const clone = planCopy(routes, 'shop.localhost', '/', '/src/shop-clone', {name: 'main', branch: 'main'});
    expect(clone.host).toMatch(/^main-[0-9a-f]{6}\.shop\.localhost$/);
    expect(planCopy(routes, 'shop.localhost', '/', '/src/shop-clone', {name: 'main', branch: 'main'})).toEqual(clone);
  });
});
