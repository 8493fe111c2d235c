import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ROOT, cli, spawnCli, tempHome} from '../../helpers/cli.js';

const SERVER = path.join(ROOT, 'test', 'fixtures', 'run', 'server.js');
const HINT = /^! The portico CA is not trusted yet: run `portico trust` so browsers open these https URLs without a certificate warning\.$/m;

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
  // The test user's own browser databases, never the machine's.
  t.env.HOME = `${t.home}-user`;
  // Vitest itself may run under npx; the plain command is what a user with portico on PATH sees.
  delete t.env.npm_command;
});
afterEach(async () => {
  await t.cleanup();
});

/** Start `portico run` and resolve with its stderr once it announces the URL; then stop it. */
async function runOnce(): Promise<{stdout: string; stderr: string}> {
  const child = spawnCli(['run', '--name=hinted', '--', process.execPath, SERVER], t.env);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      if (/➜ .*https:\/\/hinted\.localhost/.test(stdout)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`run exited ${code} before serving:\n${stdout}\n${stderr}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
  return {stdout, stderr};
}

describe('the first-run trust hint', () => {
  it('add, up and run say once that the CA is not trusted yet and the command that fixes it', async () => {
    const up = await cli(['up', '--port', '0'], {env: t.env});
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr.match(new RegExp(HINT.source, 'gm'))).toHaveLength(1);
    const add = await cli(['add', 'api.localhost', '9090'], {env: t.env});
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr.match(new RegExp(HINT.source, 'gm'))).toHaveLength(1);
    expect(add.stdout).not.toMatch(/not trusted/);
    const run = await runOnce();
    expect(run.stderr).toMatch(HINT);
  });

  it('says nothing about trust once `portico trust` has set up the browsers', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    const trust = await cli(['trust', '--stores', 'nss'], {env: t.env});
    expect(trust.code, trust.stdout).toBe(0);
    for (const args of [
      ['up', '--port', '0'],
      ['add', 'api.localhost', '9090'],
    ]) {
      const r = await cli(args, {env: t.env});
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/not trusted/);
    }
    const run = await runOnce();
    expect(run.stdout + run.stderr).not.toMatch(/not trusted/);
  });

  it('comes back after `portico untrust`, and suggests `npx portico trust` when run through npx', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['trust', '--stores', 'nss'], {env: t.env});
    await cli(['untrust', '--stores', 'nss'], {env: t.env});
    const add = await cli(['add', 'api.localhost', '9090'], {env: {...t.env, npm_command: 'exec'}});
    expect(add.stderr).toMatch(/^! The portico CA is not trusted yet: run `npx portico trust` /m);
  });
});
