import {execFile, execFileSync, spawnSync} from 'node:child_process';
import {promisify} from 'node:util';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BIN, type tempHome, daemonServing} from '../../helpers/cli.js';
import {TIMEOUT} from '../../helpers/wait.js';

function canUnshare(): boolean {
  return spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
}

let t: ReturnType<typeof tempHome>;
let port: number;

let served: Awaited<ReturnType<typeof daemonServing>>;
beforeAll(async () => {
  served = await daemonServing('app.localhost', 'system-trusted');
  ({t, port} = served);
});
afterAll(async () => {
  await served.close();
});

describe.skipIf(!canUnshare())('the Debian system store (in a private mount namespace)', () => {
  it('makes curl trust portico without --cacert, checks it, and untrust takes it away', async () => {
    const work = path.join(t.home, '..', 'ns');
    execFileSync('mkdir', ['-p', work]);
    const script = path.join(work, 'run.sh');
    const curl = `curl -sS --max-time 5 --resolve app.localhost:${port}:127.0.0.1 https://app.localhost:${port}/hi`;
    writeFileSync(
      script,
      `set -u
cp -a /etc/ssl/certs ${work}/certs
cp -a /usr/local/share/ca-certificates ${work}/local
mount --bind ${work}/certs /etc/ssl/certs
mount --bind ${work}/local /usr/local/share/ca-certificates
# No update.d hooks: the Java keystore hook starts a JVM per run (minutes on a loaded machine) and
# is not what this test is about (curl and OpenSSL read the bundle; portico's Java store is apart).
mkdir -p ${work}/hooks && [ ! -d /etc/ca-certificates/update.d ] || mount --bind ${work}/hooks /etc/ca-certificates/update.d
unset CURL_CA_BUNDLE SSL_CERT_FILE NODE_EXTRA_CA_CERTS
${curl} >/dev/null 2>&1 && echo BEFORE=trusted || echo BEFORE=refused
node ${BIN} trust --check --stores system >/dev/null; echo CHECK_BEFORE=$?
node ${BIN} trust --stores system; echo TRUST=$?
node ${BIN} trust --stores system; echo AGAIN=$?
echo "BODY=$(${curl} 2>&1)"
node ${BIN} trust --check --stores system; echo CHECK_AFTER=$?
node ${BIN} untrust --stores system; echo UNTRUST=$?
${curl} >/dev/null 2>&1 && echo AFTER_UNTRUST=trusted || echo AFTER_UNTRUST=refused
ls /usr/local/share/ca-certificates | grep -c portico || true
`,
    );
    // Async: the backend answering curl lives in this process. update-ca-certificates is slow under
    // load, so the step has the namespace bound, below the test's; `timeout` signals the whole
    // process group, so nothing still writes into the work dir when cleanup removes it.
    const seconds = String(TIMEOUT.namespace / 1000);
    const {stdout: out} = await promisify(execFile)('timeout', ['-k', '5', seconds, 'unshare', '-m', '--propagation', 'private', 'bash', script], {env: t.env});
    expect(out).toMatch(/BEFORE=refused/);
    expect(out).toMatch(/CHECK_BEFORE=1/);
    expect(out).toMatch(/✓ system \(debian\): trusted/);
    expect(out).toMatch(/TRUST=0/);
    expect(out).toMatch(/✓ system \(debian\): already trusted/);
    expect(out).toMatch(/BODY=system-trusted GET \/hi/);
    expect(out).toMatch(/CHECK_AFTER=0/);
    expect(out).toMatch(/✓ system \(debian\): removed/);
    expect(out).toMatch(/AFTER_UNTRUST=refused/);
    // The machine's own store was never touched.
    expect(execFileSync('ls', ['/usr/local/share/ca-certificates']).toString()).not.toMatch(/portico/);
  });
});
