import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cli, tempHome} from '../../helpers/cli.js';
import {canUnshare, inNamespace as inNetns} from '../../helpers/netns.js';

const inNamespace = (script: string) => inNetns(script, t.env);

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

/** Another program (another user's portico) holding 443 and 1443 until the script kills it. */
const HOLD_443_1443 = `
ready=$(mktemp)
"$NODE" -e "const net = require('node:net'); let n = 0; for (const p of [443, 1443]) net.createServer().listen(p, '127.0.0.1', () => ++n === 2 && require('node:fs').writeFileSync('$ready', 'x'))" &
holder=$!
until [ -s "$ready" ]; do sleep 0.05; done`;

const PORT = `grep -o '"port": [0-9a-z]*' | head -1`;

describe.skipIf(!canUnshare())('the port sticks', () => {
  it('falls back to a free port when 443 and 1443 are taken, says so loudly, and starts there again after a down', async () => {
    const out = await inNamespace(`${HOLD_443_1443}
"$NODE" "$BIN" add shop.localhost 9090; echo "add exited $?"
echo "running $("$NODE" "$BIN" ls --json | ${PORT})"
"$NODE" "$BIN" down >/dev/null
echo "stopped $("$NODE" "$BIN" ls --json | grep -o '"url": "[^"]*"')"
kill $holder
"$NODE" "$BIN" up >/dev/null; echo "up exited $?"
echo "again $("$NODE" "$BIN" ls --json | ${PORT})"
"$NODE" "$BIN" down >/dev/null`);
    expect(out).toContain('add exited 0');
    const port = Number(/running "port": (\d+)/.exec(out)?.[1]);
    expect(port, out).toBeGreaterThan(0);
    expect([443, 1443]).not.toContain(port);
    expect(out).toContain(
      `portico is serving on port ${port} because port 443 is in use by another program, port 1443 is in use by another program: open https://<name>.localhost:${port}/`,
    );
    // Stopped, ls shows the URL portico will serve again, not an invented :1443.
    expect(out).toContain(`stopped "url": "https://shop.localhost:${port}/"`);
    // 443 is free again, but the URLs the user has open keep working.
    expect(out).toContain('up exited 0');
    expect(out).toContain(`again "port": ${port}`);
  });

  it('remembers an explicit --port across down and up', async () => {
    const out = await inNamespace(`
"$NODE" "$BIN" up --port 1444 >/dev/null
"$NODE" "$BIN" down >/dev/null
"$NODE" "$BIN" up; echo "up exited $?"
echo "again $("$NODE" "$BIN" ls --json | ${PORT})"
"$NODE" "$BIN" down >/dev/null`);
    expect(out).toContain('up exited 0');
    expect(out).toContain('again "port": 1444');
    expect(out).not.toMatch(/serving on port/);
  });
});

describe('a stopped portico', () => {
  it('that never ran shows each route by name, without making up a port', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['add', 'shop.localhost', '9090'], {env: t.env});
    await cli(['down'], {env: t.env});
    const {rmSync} = await import('node:fs');
    rmSync(`${t.home}/last-port`);
    const ls = await cli(['ls', '--json'], {env: t.env});
    const json = JSON.parse(ls.stdout) as {daemon: {port: null}; routes: Array<{url: string}>};
    expect(json.daemon.port).toBeNull();
    expect(json.routes[0]!.url).toBe('shop.localhost/');
    expect((await cli(['ls'], {env: t.env})).stdout).not.toMatch(/:1443|:443/);
  });
});
