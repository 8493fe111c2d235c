import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {tempHome} from '../../helpers/cli.js';
import {canUnshare, inNamespace as inNetns} from '../../helpers/netns.js';

const inNamespace = (script: string) => inNetns(script, t.env);

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

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
