import {execFile, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, tempHome} from '../../helpers/cli.js';
import {TIMEOUT} from '../../helpers/wait.js';

// nginx -t as root creates the cache directories it is given: only inside a private mount namespace,
// over an empty /var/cache and a private conf.d, so the machine's own nginx is never touched.
const NGINX = '/usr/sbin/nginx';
const canRun =
  existsSync(NGINX) &&
  existsSync('/etc/nginx/nginx.conf') &&
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;

let t: ReturnType<typeof tempHome>;
let dir: string;
beforeAll(() => {
  t = tempHome();
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-nginx-stock-'));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dir, {recursive: true, force: true});
});

describe.skipIf(!canRun)('portico export nginx on a stock install', () => {
  it('passes `nginx -t` with the stock nginx.conf, cache and rate limit included', async () => {
    const project = path.join(dir, 'shop');
    mkdirSync(project);
    writeFileSync(
      path.join(project, 'portico.json'),
      JSON.stringify({routes: {'api.localhost': {targets: [9090], cache: '16MB', rateLimit: '20/s'}}, deploy: {domain: 'example.com'}}),
    );
    const exported = await cli(['export', 'nginx', '--project', project], {env: t.env});
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('proxy_cache_path ');
    writeFileSync(path.join(dir, 'portico.conf'), exported.stdout);
    mkdirSync(path.join(dir, 'conf.d'));
    const script = `set -u
mount -t tmpfs tmpfs /var/cache
mount --bind ${dir}/conf.d /etc/nginx/conf.d
cp ${dir}/portico.conf /etc/nginx/conf.d/portico.conf
${NGINX} -t 2>&1; echo "NGINX_T=$?"`;
    const {stdout} = await promisify(execFile)('unshare', ['-m', '--propagation', 'private', 'bash', '-c', script], {timeout: TIMEOUT.namespace});
    expect(stdout).toContain('NGINX_T=0');
    expect(stdout).toMatch(/syntax is ok/);
  });
});
