import {execFile, spawnSync} from 'node:child_process';
import {chmodSync} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, tempHome} from '../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
beforeAll(async () => {
  t = tempHome();
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', 'app.localhost', '9000'], {env: t.env});
});
afterAll(async () => {
  await t.cleanup();
});

const asNobody = process.getuid?.() === 0 && spawnSync('su', ['nobody', '-s', '/bin/sh', '-c', 'true']).status === 0;

describe('nothing let in', () => {
  it.skipIf(!asNobody)('refuses the control socket to another user', async () => {
    // Let the other user reach the directory's parent, as a shared /tmp would; the 0700 home and the 0600 socket must still stop it.
    chmodSync(path.dirname(t.home), 0o755);
    const probe = `node -e "require('net').connect(process.argv[1]).on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})" ${path.join(t.home, 'portico.sock')}`;
    const {stdout} = await promisify(execFile)('su', ['nobody', '-s', '/bin/sh', '-c', probe]);
    expect(stdout.trim()).toBe('EACCES');
  });

  it('never prints the CA key, whatever the command', async () => {
    const outputs = await Promise.all(
      [
        ['ls'],
        ['ls', '--json'],
        ['up'],
        ['doctor', '--stores', 'node'],
        ['trust', '--stores', 'node'],
        ['trust', '--check', '--stores', 'node'],
        ['logs'],
        ['--help'],
      ].map((args) => cli(args, {env: t.env})),
    );
    for (const r of outputs) expect(`${r.stdout}${r.stderr}`).not.toMatch(/PRIVATE KEY/);
  });
});
