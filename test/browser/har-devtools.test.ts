import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {call} from '../../src/daemon/client.js';
import {statePaths} from '../../src/state/home.js';
import {daemonServing, get, spawnCli} from '../helpers/cli.js';
import {CHROMIUM, importHarInDevTools} from '../helpers/devtools.js';
import {harValidator} from '../helpers/har.js';
import {waitFor} from '../helpers/wait.js';

let served: Awaited<ReturnType<typeof daemonServing>>;
beforeAll(async () => {
  served = await daemonServing('api.localhost', 'api');
});
afterAll(async () => {
  await served.close();
});

describe.skipIf(!existsSync(CHROMIUM))('a HAR file from portico logs --har', () => {
  it("is valid HAR 1.2 and Chromium's own DevTools importer loads its requests with their bodies", async () => {
    const file = path.join(served.t.home, '..', 'devtools.har');
    const follower = spawnCli(['logs', '--follow', '--lines', '0', '--har', file], served.t.env);
    const paths = statePaths(served.t.home);
    const captured = () => call(paths, 'exchanges');
    // Capture is on once the follower is subscribed: send until a request comes back captured.
    await waitFor(async () => (await get(served.port, 'api.localhost', '/probe', served.t.home), (await captured()).length > 0), {
      what: 'the follower to turn capture on',
    });
    expect((await get(served.port, 'api.localhost', '/orders?draft=1', served.t.home, {method: 'POST', body: '{"sku":"A-1","qty":2}'})).status).toBe(200);
    await waitFor(async () => (await captured()).some((c) => c.url === '/orders?draft=1'), {what: 'the order to be captured'});
    const exited = new Promise<number | null>((resolve) => follower.once('exit', resolve));
    follower.kill('SIGINT');
    expect(await exited).toBe(0);

    const text = readFileSync(file, 'utf8');
    expect(harValidator()(JSON.parse(text)).errors).toBe('No errors');
    const imported = await importHarInDevTools(text);
    const order = imported.find((r) => r.url.endsWith('/orders?draft=1'));
    expect(order).toMatchObject({
      url: 'https://api.localhost/orders?draft=1',
      method: 'POST',
      status: 200,
      requestBody: '{"sku":"A-1","qty":2}',
      responseBody: 'api POST /orders?draft=1',
    });
    expect(imported.filter((r) => r.url.endsWith('/probe')).every((r) => r.method === 'GET' && r.status === 200)).toBe(true);
  });
});
