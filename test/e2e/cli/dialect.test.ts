import {mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BIN, cli, tempHome} from '../../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
let links: string;
beforeAll(async () => {
  t = tempHome();
  links = mkdtempSync(path.join(os.tmpdir(), 'portico-dialect-'));
  await cli(['up', '--port', '0'], {env: t.env});
});
afterAll(async () => {
  await t.cleanup();
  rmSync(links, {recursive: true, force: true});
});

/** npm sets npm_command=exec for `npx portico …` and `npm exec portico …`. */
const npx = () => ({...t.env, npm_command: 'exec'});

describe('hints speak the form the user invoked', () => {
  it('under npx, a hint the daemon wrote says `npx portico`, never a bare `portico`', async () => {
    const result = await cli(['rm', 'nosuch.localhost'], {env: npx()});
    expect(result.stderr).toContain('See the routes with `npx portico ls`.');
    expect(result.stderr).not.toMatch(/`portico /);
  });

  it('under npx, the unknown-command advice says `npx portico`', async () => {
    const typo = await cli(['lss'], {env: npx()});
    expect(typo.stderr).toContain('Did you mean `npx portico ls`?');
    expect(typo.stderr).toContain('`npx portico --help`');
  });

  it('`--json` errors carry the same spoken hint', async () => {
    const result = await cli(['rm', 'nosuch.localhost', '--json'], {env: npx()});
    const body = JSON.parse(result.stdout) as {error: {hint?: string}};
    expect(body.error.hint).toBe('See the routes with `npx portico ls`.');
  });

  it('started as `proxy`, hints say `proxy`', async () => {
    const proxy = path.join(links, 'proxy');
    symlinkSync(BIN, proxy);
    const result = await cli(['rm', 'nosuch.localhost'], {env: t.env, script: proxy});
    expect(result.stderr).toContain('See the routes with `proxy ls`.');
  });

  it('started as `npx proxy`, hints say `npx proxy`', async () => {
    const proxy = path.join(links, 'npx-proxy', 'proxy');
    mkdirSync(path.dirname(proxy));
    symlinkSync(BIN, proxy);
    const result = await cli(['rm', 'nosuch.localhost'], {env: npx(), script: proxy});
    expect(result.stderr).toContain('See the routes with `npx proxy ls`.');
    const missing = await cli(['rm'], {env: npx(), script: proxy});
    expect(missing.stderr).toContain('Usage: npx proxy rm ROUTE');
    expect(missing.stderr).toContain('(more: `npx proxy rm --help`)');
  });

  it('started as `portico`, hints say `portico`', async () => {
    const result = await cli(['rm', 'nosuch.localhost'], {env: t.env});
    expect(result.stderr).toContain('See the routes with `portico ls`.');
  });
});
