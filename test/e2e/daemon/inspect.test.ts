import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Har} from '../../../src/traffic/har.js';
import {call} from '../../../src/daemon/client.js';
import {statePaths} from '../../../src/state/home.js';
import {cli, daemonServing, expectNoStack, get, spawnCli} from '../../helpers/cli.js';
import {harValidator} from '../../helpers/har.js';
import {waitFor} from '../../helpers/wait.js';

let served: Awaited<ReturnType<typeof daemonServing>>;
beforeAll(async () => {
  served = await daemonServing('api.localhost', 'api');
  const {port, t} = served;
  expect((await get(port, 'api.localhost', '/users', t.home)).status).toBe(200);
  expect((await get(port, 'api.localhost', '/orders/404', t.home, {method: 'POST', body: '{"a":1}'})).status).toBe(200);
  expect((await get(port, 'nowhere.localhost', '/gone', t.home)).status).toBe(404);
});
afterAll(async () => {
  await served.close();
});

interface Line {
  id: number;
  type: string;
  method: string;
  host: string;
  path: string;
  status: number;
}

async function logLines(...args: string[]): Promise<Line[]> {
  const logs = await cli(['logs', '--json', ...args], {env: served.t.env});
  expect(logs.code, logs.stderr).toBe(0);
  return logs.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

describe('portico logs filters', () => {
  it('shows only the requests with the status asked for, not paths that contain it', async () => {
    const lines = await logLines('--status', '404');
    expect(lines.map((l) => `${l.status} ${l.host}${l.path}`)).toEqual(['404 nowhere.localhost/gone']);
    expect((await logLines('--status', '4xx,5xx')).map((l) => l.path)).toEqual(['/gone']);
  });

  it('filters by host and method, combined', async () => {
    expect((await logLines('--host', 'api', '--method', 'post')).map((l) => l.path)).toEqual(['/orders/404']);
    expect((await logLines('--host', 'nowhere')).map((l) => l.path)).toEqual(['/gone']);
  });

  it('refuses a status it cannot read, naming the flag and the value', async () => {
    const r = await cli(['logs', '--status', 'abc'], {env: served.t.env});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Invalid --status `abc`: expected a status like 404, 5xx or 404,5xx.');
    expectNoStack(r);
  });
});

describe('portico replay', () => {
  it('sends a recent request again through the proxy; it appears as a new entry', async () => {
    const [users] = (await logLines('--host', 'api', '--method', 'GET')).filter((l) => l.path === '/users');
    const hits = served.app.hits();
    const r = await cli(['replay', String(users!.id)], {env: served.t.env});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Replayed request ${users!.id}: 200 \\(\\d+ bytes\\)`));
    expect(served.app.hits()).toBe(hits + 1);
    const after = (await logLines('--host', 'api')).filter((l) => l.path === '/users');
    expect(after.length).toBe(2);
    expect(after[1]!.id).toBeGreaterThan(users!.id);
  });

  it('says clearly when the id is unknown or not a number', async () => {
    const unknown = await cli(['replay', '999999'], {env: served.t.env});
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('No request with id 999999 is in portico');
    expectNoStack(unknown);
    const bad = await cli(['replay', 'abc'], {env: served.t.env});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid request id `abc`: expected a number from `portico logs --json`.');
  });
});

describe('portico logs --har', () => {
  it('writes the recent requests as HAR 1.2 that validates against the HAR schema', async () => {
    const file = path.join(served.t.home, '..', 'traffic.har');
    const r = await cli(['logs', '--har', file], {env: served.t.env});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wrote \d+ requests to .*traffic\.har \(HAR 1\.2/);
    const har = JSON.parse(readFileSync(file, 'utf8')) as Har;
    const result = harValidator()(har);
    expect(result.errors).toBe('No errors');
    expect(har.log.entries.map((e) => `${e.request.method} ${e.request.url} ${e.response.status}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET https:\/\/api\.localhost(:\d+)?\/users 200$/),
        expect.stringMatching(/^GET https:\/\/nowhere\.localhost(:\d+)?\/gone 404$/),
      ]),
    );
  });

  it('with --follow, captures bodies by itself until interrupted, then writes them', async () => {
    const file = path.join(served.t.home, '..', 'follow.har');
    const follower = spawnCli(['logs', '--follow', '--lines', '0', '--har', file], served.t.env);
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => (out += d));
    const paths = statePaths(served.t.home);
    const captured = () => call(paths, 'exchanges');
    // Capture is on once the follower is subscribed: send until a request comes back captured.
    await waitFor(async () => (await get(served.port, 'api.localhost', '/probe', served.t.home), (await captured()).length > 0), {
      what: 'the follower to turn capture on',
    });
    expect((await get(served.port, 'api.localhost', '/orders', served.t.home, {method: 'POST', body: '{"sku":"A-1"}'})).status).toBe(200);
    // Interrupt as soon as the daemon has it: the follower must not lose a request that its live
    // stream (sent in batches) had not delivered yet.
    await waitFor(async () => (await captured()).some((c) => c.url === '/orders'), {what: 'the order to be captured'});
    const exited = new Promise<number | null>((resolve) => follower.once('exit', (code) => resolve(code)));
    follower.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/Wrote \d+ requests? to .*follow\.har/);
    const har = JSON.parse(readFileSync(file, 'utf8')) as Har;
    expect(harValidator()(har).errors).toBe('No errors');
    const order = har.log.entries.find((e) => e.request.url.endsWith('/orders'))!;
    expect(order.request.postData?.text).toBe('{"sku":"A-1"}');
    expect(order.response.content.text).toBe('api POST /orders');
  });

  it('names the file when it cannot be written, and leaves nothing behind', async () => {
    const r = await cli(['logs', '--har', '/nonexistent-dir/x.har'], {env: served.t.env});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot write the HAR file `/nonexistent-dir/x.har`: ENOENT.');
    expectNoStack(r);
  });
});
