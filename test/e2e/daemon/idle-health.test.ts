import net from 'node:net';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cli, tempHome} from '../../helpers/cli.js';
import {freePort} from '../../helpers/daemon.js';

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

async function ls(): Promise<{healthy: boolean}> {
  const json = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {routes: Array<{targets: Array<{healthy: boolean}>}>};
  return json.routes[0]!.targets[0]!;
}

describe('health of routes nobody uses', () => {
  it('ls shows a dev server that stops or starts while no request goes to it, without any traffic', async () => {
    const port = await freePort();
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['add', 'idle.localhost', `127.0.0.1:${port}`], {env: t.env});
    expect((await ls()).healthy).toBe(false);

    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      expect((await ls()).healthy).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect((await ls()).healthy).toBe(false);
  });
});
