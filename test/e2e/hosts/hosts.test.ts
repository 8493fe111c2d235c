import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cli, tempHome} from '../../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
let hostsFile: string;
beforeEach(() => {
  t = tempHome();
  hostsFile = path.join(t.home, '..', 'hosts');
  writeFileSync(hostsFile, '127.0.0.1 localhost\r\n# keep me\r\n');
  t.env.PORTICO_HOSTS_FILE = hostsFile;
});
afterEach(async () => {
  await t.cleanup();
});

describe('portico hosts', () => {
  it('syncs the route names of the running daemon and cleans them away', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['add', 'api.localhost', '9090'], {env: t.env});
    await cli(['add', 'app.localhost/x', '9091'], {env: t.env});
    const sync = await cli(['hosts', 'sync'], {env: t.env});
    expect(sync.stdout).toMatch(/Wrote 2 name\(s\)/);
    expect(readFileSync(hostsFile, 'utf8')).toContain('127.0.0.1 api.localhost\r\n::1 api.localhost\r\n127.0.0.1 app.localhost\r\n');
    expect((await cli(['hosts', 'sync'], {env: t.env})).stdout).toMatch(/already up to date/);
    const clean = await cli(['hosts', 'clean'], {env: t.env});
    expect(clean.stdout).toMatch(/Removed portico's block/);
    expect(readFileSync(hostsFile, 'utf8')).toBe('127.0.0.1 localhost\r\n# keep me\r\n');
  });

  it('names the hosts file it cannot read', async () => {
    const result = await cli(['hosts', 'sync'], {env: {...t.env, PORTICO_HOSTS_FILE: '/nonexistent/hosts'}});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cannot read the hosts file `\/nonexistent\/hosts`: ENOENT\./);
  });
});
