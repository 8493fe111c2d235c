import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {describe, expect, it} from 'vitest';
import {ROOT} from '../../helpers/cli.js';
import {TIMEOUT} from '../../helpers/wait.js';

const BENCH = path.join(ROOT, 'dist', 'bench', 'run.js');
const run = promisify(execFile);
const hasNginxAndWrk = ['/usr/sbin/nginx', '/usr/bin/wrk'].every((f) => existsSync(f));

describe('the benchmark harness', () => {
  it('prints its usage for --help and starts nothing', async () => {
    const {stdout, stderr} = await run(process.execPath, [BENCH, '--help'], {timeout: TIMEOUT.daemon});
    expect(stdout).toMatch(/^Usage: npm run bench -- \[options\]/);
    expect(stdout).toContain('--peers LIST');
    expect(stderr).toBe('');
  });

  // As root, nginx's workers would run as nobody and could not enter the 0700 temp directory.
  it.skipIf(!hasNginxAndWrk)('measures the nginx proxy_cache peer, also as root (one bounded smoke round)', async () => {
    const {stdout} = await run(process.execPath, [BENCH, '--smoke', '--only', 'cache', '--peers', 'nginx'], {timeout: TIMEOUT.devServer});
    const nginx = Number(/^cached .*\n\s+nginx\s+(\d+)/m.exec(stdout)?.[1]);
    expect(nginx, stdout).toBeGreaterThan(0);
  });
});
