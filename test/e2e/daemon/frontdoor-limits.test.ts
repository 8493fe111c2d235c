import {readFileSync} from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, daemonPort, tempHome} from '../../helpers/cli.js';
import {startBackend, type Backend} from '../../helpers/harness.js';

let t: ReturnType<typeof tempHome>;
let b: Backend;
let port: number;
let agent: https.Agent;
// Each CLI call is a Node start-up: seconds on a busy 2-core machine, so these tests get 90 s.
beforeAll(async () => {
  t = tempHome();
  // A seeded fault source: the same requests get the same faults on every run, so counts never depend on luck.
  await cli(['up', '--port', '0'], {env: {...t.env, PORTICO_FAULT_SEED: '18'}});
  b = await startBackend('ok');
  port = await daemonPort(t.env);
  agent = new https.Agent({keepAlive: true, maxSockets: 8, ca: readFileSync(path.join(t.home, 'ca.pem'))});
});
afterAll(async () => {
  agent?.destroy();
  await b?.close();
  await t.cleanup();
});

type Result = {status: number; headers: http.IncomingHttpHeaders} | {error: string};

function hit(host: string, urlPath = '/'): Promise<Result> {
  return new Promise((resolve) => {
    const req = https.request({host: '127.0.0.1', port, path: urlPath, servername: host, headers: {host}, agent}, (res) => {
      res.resume();
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers}));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({error: e.code ?? e.message}));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({error: e.code ?? e.message}));
    req.end();
  });
}

async function many(host: string, n: number): Promise<Result[]> {
  const results: Result[] = [];
  // Eight at a time: enough to be quick, few enough for a shared machine.
  for (let i = 0; i < n; i += 8) results.push(...(await Promise.all(Array.from({length: Math.min(8, n - i)}, () => hit(host)))));
  return results;
}

const statusOf = (r: Result) => ('status' in r ? r.status : r.error);

describe('rate limits and injected faults through the daemon', () => {
  it('answers 429 with Retry-After and RateLimit fields once a client has used its burst', async () => {
    expect((await cli(['add', 'limited.localhost', String(b.port), '--rate-limit', '2/s,burst=10'], {env: t.env})).code).toBe(0);
    const started = performance.now();
    const results = await Promise.all(Array.from({length: 40}, () => hit('limited.localhost')));
    const seconds = (performance.now() - started) / 1000;
    const ok = results.filter((r) => statusOf(r) === 200).length;
    const limited = results.filter((r) => statusOf(r) === 429);
    // The burst, plus what refilled while the requests were being sent (2 a second).
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(10 + Math.ceil(seconds * 2) + 1);
    expect(limited.length).toBe(40 - ok);
    const one = limited[0] as {headers: http.IncomingHttpHeaders};
    expect(Number(one.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(one.headers['ratelimit-policy']).toBe('"portico";q=10;w=5');
    expect(one.headers.ratelimit).toMatch(/^"portico";r=0;t=\d+$/);
    const logs = await cli(['logs', '--json', '-n', '100'], {env: t.env});
    expect(logs.stdout).toContain('"rate-limited"');
  });

  it('fails the asked share of requests with the asked status, without asking the backend', async () => {
    expect((await cli(['add', 'flaky.localhost', String(b.port), '--fail', '10%:503'], {env: t.env})).code).toBe(0);
    const before = b.hits;
    const results = await many('flaky.localhost', 300);
    const failed = results.filter((r) => statusOf(r) === 503).length;
    expect(failed).toBeGreaterThanOrEqual(15);
    expect(failed).toBeLessThanOrEqual(45);
    expect(results.filter((r) => statusOf(r) === 200)).toHaveLength(300 - failed);
    expect(b.hits - before).toBe(300 - failed);
    const logs = await cli(['logs', '-n', '400'], {env: t.env});
    expect(logs.stdout).toContain('[injected: 503]');
  });

  it('resets the connection for the asked share of requests', async () => {
    expect((await cli(['add', 'droppy.localhost', String(b.port), '--drop', '20%'], {env: t.env})).code).toBe(0);
    const results = await many('droppy.localhost', 200);
    const dropped = results.filter((r) => 'error' in r).length;
    expect(dropped).toBeGreaterThanOrEqual(20);
    expect(dropped).toBeLessThanOrEqual(60);
    expect(results.filter((r) => statusOf(r) === 200)).toHaveLength(200 - dropped);
  });
});
