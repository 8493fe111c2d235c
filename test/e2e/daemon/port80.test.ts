import {execFile, execFileSync} from 'node:child_process';
import {promisify} from 'node:util';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {BIN, tempHome} from '../../helpers/cli.js';
import {TIMEOUT} from '../../helpers/wait.js';

/** A private network namespace (as root, or as a mapped root in a user namespace) where 443 and 80 are free. */
function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-rn', 'ip', 'link', 'set', 'lo', 'up'], {stdio: 'ignore'});
    return true;
  } catch {
    return false;
  }
}

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

/** Run a shell script inside a fresh network namespace with loopback up; everything it starts dies with it. */
async function inNamespace(script: string): Promise<string> {
  const {stdout} = await promisify(execFile)('unshare', ['-rn', 'sh', '-c', `ip link set lo up\n${script}`], {env: {...t.env, BIN, NODE: process.execPath}, timeout: TIMEOUT.namespace});
  return stdout;
}

// `curl -w` prints the status and the Location, one request per line.
const CURL = `curl -s -o /dev/null -w '%{http_code} %{redirect_url}\\n'`;

describe.skipIf(!canUnshare())('port 80', () => {
  it('redirects http://<name>.localhost to https on 127.0.0.1 and ::1 when portico holds 443', async () => {
    const out = await inNamespace(`
"$NODE" "$BIN" up
${CURL} -H 'Host: app.localhost' http://127.0.0.1/some/page?q=1
${CURL} -H 'Host: app.localhost' 'http://[::1]/'
"$NODE" "$BIN" ls --json | grep -o '"port": [0-9]*'
"$NODE" "$BIN" down`);
    expect(out).toContain('redirects to https');
    expect(out).toContain('308 https://app.localhost/some/page?q=1');
    expect(out).toContain('308 https://app.localhost/');
    expect(out).toContain('"port": 443');
  });

  it('still starts when port 80 is taken, and says that http:// will not redirect', async () => {
    const out = await inNamespace(`
ready=$(mktemp)
"$NODE" -e "require('node:net').createServer().listen(80, '127.0.0.1', () => require('node:fs').writeFileSync('$ready', 'x'))" &
holder=$!
trap 'kill $holder' EXIT
until [ -s "$ready" ]; do sleep 0.05; done
"$NODE" "$BIN" up; echo "up exited $?"
"$NODE" "$BIN" down`);
    expect(out).toContain('up exited 0');
    expect(out).toMatch(/does not redirect to https: Port 80 is in use/);
  });
});
