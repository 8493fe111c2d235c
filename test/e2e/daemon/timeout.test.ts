import {readFileSync, writeFileSync, mkdtempSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, daemonPort, expectNoStack, get, tempHome} from '../../helpers/cli.js';

/** Timeouts a user controls: `up --timeout` / PORTICO_TIMEOUT for the daemon, `--timeout` and portico.json per route. */
let t: ReturnType<typeof tempHome>;
let silent: net.Server;
let silentPort: number;
const held = new Set<net.Socket>();
beforeAll(async () => {
  t = tempHome();
  // Accepts connections and never answers: only a timeout ends a request to it.
  silent = net.createServer((socket) => {
    held.add(socket);
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await t.cleanup();
  for (const socket of held) socket.destroy();
  await new Promise((r) => silent.close(r));
});

describe('timeouts a user controls', () => {
  it('starts the daemon with `up --timeout` and answers 504 after a route’s own --timeout', async () => {
    const up = await cli(['up', '--port', '0', '--timeout', '45s'], {env: t.env});
    expect(up.code, up.stderr).toBe(0);
    const added = await cli(['add', 'slow.localhost', `127.0.0.1:${silentPort}`, '--timeout', '300ms'], {env: t.env});
    expect(added.code, added.stderr).toBe(0);
    const stored = JSON.parse(readFileSync(path.join(t.home, 'routes.json'), 'utf8')) as Array<{host: string; options?: {timeout?: number}}>;
    expect(stored.find((r) => r.host === 'slow.localhost')?.options).toEqual({timeout: 300});
    const reply = await get(await daemonPort(t.env), 'slow.localhost', '/', t.home);
    expect(reply.status).toBe(504);
    expect(reply.body).toContain('0.3 s');
    // Several CLI runs, each starting Node: generous on a busy machine; nothing here waits on a clock.
  });

  it('reads a route’s timeout from portico.json', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-proj-'));
    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({routes: {'json.localhost': {targets: [`127.0.0.1:${silentPort}`], timeout: '0.2s'}}}));
    const up = await cli(['up', '--timeout', '45s'], {env: t.env, cwd: dir});
    expect(up.code, up.stderr).toBe(0);
    const reply = await get(await daemonPort(t.env), 'json.localhost', '/', t.home);
    expect(reply.status).toBe(504);
    expect(reply.body).toContain('0.2 s');
  });

  it('refuses a timeout it cannot read, naming the flag and the value', async () => {
    for (const args of [
      ['add', 'x.localhost', '9090', '--timeout', 'soon'],
      ['up', '--timeout', '0'],
    ]) {
      const result = await cli(args, {env: t.env});
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/Invalid --timeout[^`]* `(soon|0)`: expected a duration/);
      expectNoStack(result);
    }
    const env = {...t.env, PORTICO_TIMEOUT: 'whenever'};
    const result = await cli(['up'], {env});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('`whenever`');
    expectNoStack(result);
  });
});
