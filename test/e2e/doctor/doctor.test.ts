import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cli, tempHome} from '../../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
  t.env.HOME = `${t.home}-user`;
});
afterEach(async () => {
  await t.cleanup();
});

describe('portico doctor', () => {
  it('fails with a fix for each problem when nothing is set up', async () => {
    const r = await cli(['doctor', '--stores', 'nss'], {env: t.env});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ daemon: not running\n\s+Start it: `portico up`\./);
    expect(r.stdout).toMatch(/✗ ca: no CA in/);
  });

  it('passes once the daemon runs and the browser store trusts the CA', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['trust', '--stores', 'nss'], {env: t.env});
    const r = await cli(['doctor', '--stores', 'nss'], {env: t.env});
    expect(r.stdout).toMatch(/✓ daemon: running, pid \d+/);
    expect(r.stdout).toMatch(/✓ port: \d+ accepts connections/);
    expect(r.stdout).toMatch(/✓ ca: valid for 365\d more days/);
    expect(r.stdout).toMatch(/✓ clock: /);
    expect(r.stdout).toMatch(/✓ trust nss Chromium\/Chrome: trusts the portico CA, leaf verified/);
    expect(r.code, r.stdout).toBe(0);
  });
});
