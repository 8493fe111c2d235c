import {spawnSync} from 'node:child_process';
import {chownSync, mkdtempSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {BIN, cli, expectNoStack, killDaemon, type CliResult} from '../../helpers/cli.js';
import {TIMEOUT} from '../../helpers/wait.js';

// These need an ordinary user: as root every port binds and every directory is writable.
const NOBODY = 65534;
const DROP = ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups'];
// ...and that user must be able to run this node and read the checkout (not so under a 0700 /root).
// `up` spawns process.execPath again for the daemon, so check that too (Node 24 from `npx -p node@24`
// lives under /root/.npm, which that user cannot execute).
const canDrop =
  process.getuid?.() === 0 &&
  spawnSync('setpriv', [...DROP, process.execPath, BIN, '--version']).status === 0 &&
  spawnSync('setpriv', [...DROP, process.execPath, '-e', "require('node:child_process').execFileSync(process.execPath, ['-e', '0'])"]).status === 0;

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-nobody-'));
  chownSync(dir, NOBODY, NOBODY);
  env = {...process.env, HOME: dir, PORTICO_HOME: path.join(dir, 'home'), NODE_EXTRA_CA_CERTS: '', SSL_CERT_FILE: '', CURL_CA_BUNDLE: '', FORCE_COLOR: '0'};
  delete env.PORTICO_PORT;
});
afterEach(async () => {
  await cli(['down'], {env}).catch(() => undefined);
  killDaemon(env.PORTICO_HOME!);
  rmSync(dir, {recursive: true, force: true});
});

/** Run the CLI as user nobody. */
function asNobody(args: string[], extraEnv: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync('setpriv', [...DROP, process.execPath, BIN, ...args], {env: {...env, ...extraEnv}, encoding: 'utf8', timeout: TIMEOUT.daemon});
  return {code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr};
}

async function portFree(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe.skipIf(!canDrop)('as an ordinary user', () => {
  it('explains a port below 1024 that this user may not bind, and how to allow it', () => {
    const result = asNobody(['up', '--port', '80']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^portico: Port 80 is not permitted for this user \(ports below 1024 are privileged\)\.\n.*setcap.*sysctl.*sudo portico up/);
    expectNoStack(result);
  });

  it('refuses a PORTICO_HOME it cannot write, naming it', () => {
    const result = asNobody(['up', '--port', '0'], {PORTICO_HOME: '/root/portico-home'});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Cannot use PORTICO_HOME `\/root\/portico-home`: it is not writable\./);
    expectNoStack(result);
  });

  it('falls back to 1443 when 443 is not permitted, saying so loudly with the URL and how to get 443', async (context) => {
    if (!(await portFree(1443))) context.skip();
    const result = asNobody(['up']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/on port 1443/);
    expect(result.stdout).toMatch(
      /! portico is serving on port 1443 because this user may not bind port 443: open https:\/\/<name>\.localhost:1443\/.*setcap.*sysctl/,
    );
  });
});
