import {execFile, execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {BIN, type CliResult} from '../../helpers/cli.js';

// `trust` as a normal user: the system store is out of reach, the user's browsers are not.
const NOBODY = 65534;
const DROP = ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups'];
const canDrop = process.getuid?.() === 0 && spawnSync('setpriv', [...DROP, process.execPath, BIN, '--version']).status === 0;
const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-trust-'));
  chmodSync(dir, 0o755);
  chownSync(dir, NOBODY, NOBODY);
  env = {...process.env, HOME: dir, PORTICO_HOME: path.join(dir, 'portico'), NODE_EXTRA_CA_CERTS: '', SSL_CERT_FILE: '', CURL_CA_BUNDLE: '', FORCE_COLOR: '0'};
  delete env.JAVA_HOME;
  delete env.npm_command;
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

function asNobody(args: string[], extraEnv: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync('setpriv', [...DROP, process.execPath, BIN, ...args], {env: {...env, ...extraEnv}, encoding: 'utf8', timeout: 60_000});
  return {code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr};
}

// Several CLI runs per test, each a cold Node start: give a busy machine room.
describe.skipIf(!canDrop)('portico trust as a normal user', () => {
  it('trusts the browsers, prints the one sudo command for the system store, and exits 0', () => {
    const trust = asNobody(['trust']);
    expect(trust.code, trust.stdout + trust.stderr).toBe(0);
    expect(trust.stdout).toMatch(/^✓ nss Chromium\/Chrome: trusted \(.*\/\.pki\/nssdb\)$/m);
    expect(trust.stdout).toMatch(/^→ system \(debian\): needs root: this user cannot change it\n\s+Run `sudo portico trust --stores system`/m);
    expect(trust.stdout).toMatch(/^→ node: Node reads no trust store: add `export NODE_EXTRA_CA_CERTS=.*\/portico\/ca\.pem` to your shell profile$/m);
    expect(trust.stdout).not.toMatch(/✗/);
    expect(execFileSync('certutil', ['-L', '-d', `sql:${path.join(dir, '.pki', 'nssdb')}`]).toString()).toMatch(/portico local CA/);
  });

  it('says it skipped Firefox (no profile yet) and Java (JAVA_HOME unset) instead of leaving them out silently', () => {
    const trust = asNobody(['trust']);
    expect(trust.code, trust.stdout + trust.stderr).toBe(0);
    expect(trust.stdout).toMatch(/^– Firefox: skipped: no Firefox profile yet; start Firefox once, then run `portico trust` again$/m);
    expect(trust.stdout).toMatch(/^– java: skipped: JAVA_HOME is not set; for a JDK, set it or run `portico trust --stores java`$/m);
    // Named stores are what was asked for: nothing else is mentioned.
    expect(asNobody(['trust', '--stores', 'nss']).stdout).not.toMatch(/java/);
  });

  it('`trust --check` right after `trust` exits 0 and gives Node the same advice, not a ✗', () => {
    asNobody(['trust']);
    const check = asNobody(['trust', '--check']);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toMatch(/^✓ nss Chromium\/Chrome: trusts the portico CA, leaf verified/m);
    expect(check.stdout).toMatch(/^→ node: Node reads no trust store: add `export NODE_EXTRA_CA_CERTS=/m);
    // The system store was never installed: --check does not hold it against the user.
    expect(check.stdout).not.toMatch(/system/);
  });

  it('fails only for a store asked for with --stores: the system store, or Node', () => {
    const system = asNobody(['trust', '--stores', 'system,nss']);
    expect(system.code).toBe(1);
    expect(system.stdout).toMatch(/^✗ system \(debian\): needs root\n\s+Run `sudo portico trust --stores system`/m);
    expect(system.stdout).toMatch(/^✓ nss Chromium\/Chrome: /m);
    expect(asNobody(['trust', '--check', '--stores', 'system']).code).toBe(1);
    const node = asNobody(['trust', '--check', '--stores', 'node']);
    expect(node.code).toBe(1);
    expect(node.stdout).toMatch(/^✗ node: Node reads no trust store/m);
  });

  it('reports Node as trusting the CA in both trust and --check once NODE_EXTRA_CA_CERTS names it', () => {
    asNobody(['trust']);
    const withNode = {NODE_EXTRA_CA_CERTS: path.join(dir, 'portico', 'ca.pem')};
    const trust = asNobody(['trust'], withNode);
    const check = asNobody(['trust', '--check', '--stores', 'node'], withNode);
    for (const r of [trust, check]) expect(r.stdout).toMatch(/^✓ node: NODE_EXTRA_CA_CERTS=.*ca\.pem includes the portico CA$/m);
    expect(check.code).toBe(0);
  });

  it('sets up a Firefox profile created with -CreateProfile that was never started', () => {
    const custom = path.join(dir, 'profiles', 'work');
    const made = spawnSync('setpriv', [...DROP, 'firefox-esr', '--headless', '-CreateProfile', `work ${custom}`], {env, encoding: 'utf8', timeout: 60_000});
    expect(made.status, made.stderr).toBe(0);
    const trust = asNobody(['trust']);
    expect(trust.code, trust.stdout).toBe(0);
    expect(trust.stdout).toMatch(new RegExp(`^✓ nss Firefox profile work: trusted \\(${custom}\\)$`, 'm'));
    expect(execFileSync('certutil', ['-L', '-d', `sql:${custom}`]).toString()).toMatch(/portico local CA .*\s+C,,/);
    expect(asNobody(['trust', '--check']).code).toBe(0);
  });
});

describe.skipIf(!canUnshare)('portico trust as root (system store in a private mount namespace)', () => {
  it('installs the system store too, and --check checks it from then on until untrust', async () => {
    const work = path.join(dir, 'ns');
    const script = path.join(dir, 'run.sh');
    writeFileSync(
      script,
      `set -u
mkdir -p ${work}
cp -a /etc/ssl/certs ${work}/certs
cp -a /usr/local/share/ca-certificates ${work}/local
mount --bind ${work}/certs /etc/ssl/certs
mount --bind ${work}/local /usr/local/share/ca-certificates
# Other packages' hooks (Debian's Java keystore: a JVM per run) are not portico's concern and take minutes on a busy machine.
mkdir -p ${work}/hooks && mount --bind ${work}/hooks /etc/ca-certificates/update.d 2>/dev/null || true
node ${BIN} trust; echo TRUST=$?
node ${BIN} trust --check; echo CHECK=$?
node ${BIN} untrust --stores system; echo UNTRUST=$?
node ${BIN} trust --check; echo CHECK_NSS_ONLY=$?
node ${BIN} trust --check --stores system; echo CHECK_SYSTEM=$?
`,
    );
    const {stdout} = await promisify(execFile)('unshare', ['-m', '--propagation', 'private', 'bash', script], {env, timeout: 290_000});
    expect(stdout).toMatch(/^✓ system \(debian\): trusted/m);
    expect(stdout).toMatch(/TRUST=0/);
    expect(stdout).toMatch(/^✓ system \(debian\): trusts the portico CA, leaf verified\n✓ nss Chromium\/Chrome: trusts the portico CA/m);
    expect(stdout).toMatch(/CHECK=0/);
    expect(stdout).toMatch(/UNTRUST=0/);
    expect(stdout).toMatch(/CHECK_NSS_ONLY=0/);
    expect(stdout).toMatch(/CHECK_SYSTEM=1/);
  });
});
