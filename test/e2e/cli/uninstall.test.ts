import {execFile, spawnSync} from 'node:child_process';
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {BIN, killDaemon} from '../../helpers/cli.js';
import {TIMEOUT} from '../../helpers/wait.js';

// The system store and /etc/hosts are the machine's: every test here changes them only inside a
// private mount namespace, over copies bind-mounted on the real paths.
const NOBODY = 65534;
const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
// `env` execs once more as the user: setpriv's own exec can still reach a node under a 0700 /root (the
// npx copy of Node 24) with privileges the user's later children (the daemon) do not have.
const AS_USER = ['setpriv', '--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'env'];
const canDrop = canUnshare && spawnSync(AS_USER[0]!, [...AS_USER.slice(1), process.execPath, BIN, '--version']).status === 0;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-uninstall-'));
  chmodSync(dir, 0o755);
});
afterEach(() => {
  killDaemon(path.join(dir, 'home', '.portico'));
  rmSync(dir, {recursive: true, force: true, maxRetries: 10});
});

/** Runs `body` (bash) as root in a private mount namespace with the system store and /etc/hosts replaced by copies. */
async function inMountNamespace(body: string): Promise<string> {
  const script = path.join(dir, 'run.sh');
  writeFileSync(
    script,
    `set -u
work=${dir}/ns
mkdir -p $work
cp -a /etc/ssl/certs $work/certs
cp -a /usr/local/share/ca-certificates $work/local
cp /etc/hosts $work/hosts
mount --bind $work/certs /etc/ssl/certs
mount --bind $work/local /usr/local/share/ca-certificates
mount --bind $work/hosts /etc/hosts
# Other packages' hooks (Debian's Java keystore) are not portico's concern and take minutes on a busy machine.
mkdir -p $work/hooks && mount --bind $work/hooks /etc/ca-certificates/update.d 2>/dev/null || true
export HOME=${dir}/home PORTICO_HOME=${dir}/home/.portico PORTICO_PORT=0 NODE_EXTRA_CA_CERTS= FORCE_COLOR=0
mkdir -p $HOME
P="${process.execPath} ${BIN}"
AS_USER="${AS_USER.join(' ')}"
${body}`,
  );
  const env = {...process.env};
  delete env.JAVA_HOME;
  delete env.npm_command;
  const {stdout} = await promisify(execFile)('unshare', ['-m', '--propagation', 'private', 'bash', script], {env, timeout: TIMEOUT.namespace});
  return stdout;
}

describe.skipIf(!canUnshare)('portico uninstall', () => {
  it('as root leaves no trace: daemon stopped, CA out of the system store and NSS, hosts block gone, state deleted', async () => {
    const out = await inMountNamespace(`
$P add shop.localhost 9 >/dev/null 2>&1
$P trust >/dev/null; echo "TRUST=$?"
$P hosts sync >/dev/null; echo "HOSTS_BLOCK=$(grep -c 'portico' /etc/hosts)"
echo "ANCHORS_BEFORE=$(ls /usr/local/share/ca-certificates | grep -c portico)"
$P uninstall --json > $HOME/../result.json; echo "UNINSTALL=$?"
cat $HOME/../result.json
echo "HOSTS_AFTER=$(grep -c 'portico' /etc/hosts)"
echo "ANCHORS_AFTER=$(ls /usr/local/share/ca-certificates | grep -c portico)"
echo "BUNDLE_AFTER=$(grep -c 'BEGIN' /etc/ssl/certs/ca-certificates.crt) of $(grep -c 'BEGIN' $work/certs/ca-certificates.crt)"
certutil -L -d sql:$HOME/.pki/nssdb | grep -c 'portico' ; echo "NSS_AFTER"
[ -e $PORTICO_HOME ] && echo "STATE_LEFT" || echo "STATE_GONE"
$P ls --json | grep -o '"running": [a-z]*'`);
    expect(out).toContain('TRUST=0');
    expect(out).toContain('HOSTS_BLOCK=2');
    expect(out).toContain('ANCHORS_BEFORE=1');
    expect(out).toContain('UNINSTALL=0');
    const result = JSON.parse(/\{[\s\S]*\n\}/.exec(out)![0]) as {
      complete: boolean;
      daemonStopped: boolean;
      stores: Array<{store: string; ok: boolean}>;
      hosts: {removed: boolean};
      state: {removed: boolean};
    };
    expect(result).toMatchObject({complete: true, daemonStopped: true, hosts: {removed: true}, state: {removed: true}});
    expect(result.stores.filter((s) => s.store.startsWith('system') || s.store.startsWith('nss')).every((s) => s.ok)).toBe(true);
    expect(out).toContain('HOSTS_AFTER=0');
    expect(out).toContain('ANCHORS_AFTER=0');
    expect(out).toMatch(/0\nNSS_AFTER/);
    expect(out).toContain('STATE_GONE');
    expect(out).toContain('"running": false');
  });

  it.skipIf(!canDrop)('as a normal user does what it can and prints the one sudo line for the rest, keeping the CA until then', async () => {
    const out = await inMountNamespace(`
chown ${NOBODY}:${NOBODY} $HOME
$AS_USER $P add shop.localhost 9 >/dev/null 2>&1
$AS_USER $P trust --stores nss >/dev/null; echo "TRUST=$?"
# The system store and the hosts block need root: done as \`sudo portico trust --stores system\` and \`sudo portico hosts sync\` would.
$P trust --stores system >/dev/null
$P hosts sync >/dev/null
$AS_USER $P uninstall; echo "UNINSTALL=$?"
ls $PORTICO_HOME; echo "KEPT"
$P uninstall --json | grep -o '"complete": [a-z]*'
echo "HOSTS_AFTER=$(grep -c 'portico' /etc/hosts)"
echo "ANCHORS_AFTER=$(ls /usr/local/share/ca-certificates | grep -c portico)"
[ -e $PORTICO_HOME ] && echo "STATE_LEFT" || echo "STATE_GONE"`);
    expect(out).toContain('TRUST=0');
    expect(out).toContain('ANCHORS_AFTER=0');
    expect(out).toMatch(/^Stopped the portico daemon\.$/m);
    expect(out).toMatch(/^✓ nss Chromium\/Chrome: removed/m);
    expect(out).toMatch(/^→ system \(debian\): needs root/m);
    expect(out).toMatch(/^→ hosts: Cannot write the hosts file `\/etc\/hosts`: permission denied\.$/m);
    expect(out).toMatch(/^To finish, run: sudo portico uninstall$/m);
    expect(out).toContain('UNINSTALL=0');
    expect(out).toMatch(/^ca-key\.pem\nca\.pem\nKEPT$/m);
    expect(out).toContain('"complete": true');
    expect(out).toContain('HOSTS_AFTER=0');
    expect(out).toContain('STATE_GONE');
  });

  it('with --keep-ca keeps the CA and its trust, and deletes everything else', async () => {
    const out = await inMountNamespace(`
$P add shop.localhost 9 >/dev/null 2>&1
$P trust --stores nss >/dev/null
$P uninstall --keep-ca; echo "UNINSTALL=$?"
ls $PORTICO_HOME; echo "KEPT"
certutil -L -d sql:$HOME/.pki/nssdb | grep -c 'portico'; echo "NSS_KEPT"`);
    expect(out).toContain('UNINSTALL=0');
    expect(out).toMatch(/^ca-key\.pem\nca\.pem\nKEPT$/m);
    expect(out).toMatch(/^1\nNSS_KEPT$/m);
    expect(out).not.toMatch(/sudo/);
  });

  it('untrust as root does not advise removing a NODE_EXTRA_CA_CERTS that points at the system bundle', async () => {
    const out = await inMountNamespace(`
$P trust --stores system,nss >/dev/null; echo "TRUST=$?"
NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt $P untrust; echo "UNTRUST=$?"`);
    expect(out).toContain('TRUST=0');
    expect(out).toContain('UNTRUST=0');
    expect(out).toMatch(/^✓ node: nothing to remove$/m);
    expect(out).not.toMatch(/remove NODE_EXTRA_CA_CERTS/);
  });
});
