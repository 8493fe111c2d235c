import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {streamEvents} from '../../../src/daemon/client.js';
import {statePaths} from '../../../src/state/home.js';
import type {RequestEvent, TrafficEvent} from '../../../src/traffic/event.js';
import {backend, cli, daemonPort, get, spawnCli, tempHome} from '../../helpers/cli.js';
import {exited, gate, waitFor} from '../../helpers/wait.js';

let t: ReturnType<typeof tempHome>;
let api: Awaited<ReturnType<typeof backend>>;
let port: number;
beforeAll(async () => {
  t = tempHome();
  api = await backend('api');
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', 'api.localhost', String(api.port)], {env: t.env});
  port = await daemonPort(t.env);
  for (const p of ['/one', '/two?x=1']) expect((await get(port, 'api.localhost', p, t.home)).status).toBe(200);
  expect((await get(port, 'nowhere.localhost', '/', t.home)).status).toBe(404);
});
afterAll(async () => {
  await t.cleanup();
  await api.close();
});

describe('portico logs', () => {
  it('prints recent traffic one line per request and exits', async () => {
    const logs = await cli(['logs'], {env: t.env});
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout.trim().split('\n');
    expect(lines.find((l) => l.includes('GET api.localhost/one'))).toMatch(/ 200 GET api\.localhost\/one \d+ms \d+B -> http:\/\/localhost:\d+/);
    expect(lines.some((l) => l.includes('GET api.localhost/two?x=1'))).toBe(true);
    expect(lines.find((l) => l.includes('nowhere.localhost'))).toMatch(/ 404 GET nowhere\.localhost\/ /);
  });

  it('prints one JSON object per line with --json', async () => {
    const logs = await cli(['logs', '--json'], {env: t.env});
    const events = logs.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {type: string; host: string; path: string; status: number});
    expect(events.filter((e) => e.type === 'request').map((e) => `${e.status} ${e.host}${e.path}`)).toEqual(
      expect.arrayContaining(['200 api.localhost/one', '200 api.localhost/two?x=1', '404 nowhere.localhost/']),
    );
  });

  it('follows live traffic with --follow until interrupted', async () => {
    const follower = spawnCli(['logs', '--follow', '--json', '--lines', '0'], t.env);
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => (out += d));
    try {
      // The follower subscribes a moment after it starts: keep sending until it has seen one.
      await waitFor(async () => (await get(port, 'api.localhost', '/live', t.home)) && out.includes('/live'), {
        what: 'the follower to print /live',
        interval: 100,
        detail: () => out,
      });
      expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({type: 'request', host: 'api.localhost', path: '/live', status: 200});
      follower.kill('SIGINT');
      expect(await exited(follower, {what: '`logs --follow` to exit on SIGINT'})).toBe(0);
    } finally {
      follower.kill('SIGKILL');
    }
  });

  it('writes HAR entries with the port and in the order the requests started, though no dashboard was open', async () => {
    const release = gate();
    const slow = await backend('slow', release.promise);
    await cli(['add', 'slow.localhost', String(slow.port)], {env: t.env});
    try {
      const first = get(port, 'slow.localhost', '/started-first', t.home);
      await waitFor(() => slow.hits() === 1, {what: 'the slow request to reach its backend'});
      expect((await get(port, 'api.localhost', '/finished-first', t.home)).status).toBe(200);
      release.open();
      expect((await first).status).toBe(200);
      const file = path.join(t.home, '..', 'order.har');
      const result = await cli(['logs', '--har', file], {env: t.env});
      expect(result.code, result.stderr).toBe(0);
      const entries = (JSON.parse(readFileSync(file, 'utf8')) as {log: {entries: Array<{startedDateTime: string; request: {url: string}}>}}).log.entries;
      for (const e of entries) expect(e.request.url).toMatch(new RegExp(`^https://[a-z.]+:${port}/`));
      const urls = entries.map((e) => e.request.url);
      expect(urls.indexOf(`https://slow.localhost:${port}/started-first`)).toBeLessThan(urls.indexOf(`https://api.localhost:${port}/finished-first`));
      const times = entries.map((e) => Date.parse(e.startedDateTime));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    } finally {
      await cli(['rm', 'slow.localhost'], {env: t.env});
      await slow.close();
    }
  });

  it('says portico is not running when there is no daemon', async () => {
    const other = tempHome();
    try {
      const logs = await cli(['logs'], {env: other.env});
      expect(logs.code).not.toBe(0);
      expect(logs.stderr).toMatch(/portico is not running, so there is no traffic to show\./);
    } finally {
      await other.cleanup();
    }
  });

  it('ends a follower cleanly when the daemon stops, and `down` does not wait for it', async () => {
    const other = tempHome();
    try {
      await cli(['up', '--port', '0'], {env: other.env});
      const follower = spawnCli(['logs', '--follow'], other.env);
      let err = '';
      let out = '';
      follower.stderr!.on('data', (d: Buffer) => (err += d));
      follower.stdout!.on('data', (d: Buffer) => (out += d));
      // Subscribed once it prints live traffic: knock (a 404) until it does.
      const otherPort = await daemonPort(other.env);
      await waitFor(async () => (await get(otherPort, 'knock.localhost', '/', other.home)) && out.includes('knock.localhost'), {
        what: 'the follower to print the knock',
        interval: 100,
        detail: () => out,
      });
      const down = await cli(['down'], {env: other.env});
      expect(down.stdout).toMatch(/portico stopped/);
      // The daemon ended the stream (exit 0, nothing on stderr) rather than waiting on it or cutting it.
      expect(await exited(follower, {what: 'the follower to exit after `down`'})).toBe(0);
      expect(err).toBe('');
      expect(readFileSync(path.join(other.home, 'daemon.log'), 'utf8')).toMatch(/stopped\n$/);
    } finally {
      await other.cleanup();
    }
  });

  it('puts request and response headers into events only while a viewer that asked for them is attached', async () => {
    const follow = (headers: boolean) => {
      const seen: TrafficEvent[] = [];
      const controller = new AbortController();
      const done = streamEvents(statePaths(t.home), (e) => seen.push(e), {history: 0, headers, signal: controller.signal});
      return {seen, stop: () => (controller.abort(), done)};
    };
    const plain = follow(false);
    const detailed = follow(true);
    const saw = (f: {seen: TrafficEvent[]}) => f.seen.some((e) => e.type === 'request' && e.path === '/hdr');
    await waitFor(async () => (await get(port, 'api.localhost', '/hdr', t.home)) && saw(plain) && saw(detailed), {
      what: 'both viewers to see /hdr',
      interval: 100,
    });
    await plain.stop();
    await detailed.stop();
    const withHeaders = detailed.seen.find((e) => e.type === 'request' && e.path === '/hdr') as RequestEvent;
    expect(withHeaders.requestHeaders?.host).toBe('api.localhost');
    expect(withHeaders.responseHeaders).toBeDefined();
    // The viewer that asked has gone: events are built without headers again.
    const after = follow(false);
    await waitFor(async () => (await get(port, 'api.localhost', '/hdr', t.home)) && saw(after), {what: 'the new viewer to see /hdr', interval: 100});
    await after.stop();
    const last = after.seen.filter((e) => e.type === 'request' && e.path === '/hdr').at(-1) as RequestEvent;
    expect(last.requestHeaders).toBeUndefined();
  });

  it('gives a follower every request of a burst exactly once, in order, however the stream is batched', async () => {
    const follower = spawnCli(['logs', '--follow', '--json', '--lines', '0'], t.env);
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => (out += d));
    try {
      await waitFor(async () => (await get(port, 'api.localhost', '/ready', t.home)) && out.includes('/ready'), {
        what: 'the follower to print /ready',
        interval: 100,
      });
      // 300 requests, 30 at a time, with 2 KB paths: many events per flush, and flushes larger than
      // one 64 KiB read, so lines arrive split across reads.
      const pad = 'x'.repeat(2000);
      for (let wave = 0; wave < 10; wave++) {
        await Promise.all(Array.from({length: 30}, (_, i) => get(port, 'api.localhost', `/burst/${wave * 30 + i}/${pad}`, t.home)));
      }
      // Complete lines only: the last one may still be arriving.
      const burst = () =>
        out
          .split('\n')
          .slice(0, -1)
          .filter((l) => l.includes('/burst/'))
          .map((l) => JSON.parse(l) as RequestEvent);
      await waitFor(() => burst().length >= 300, {what: 'the follower to print all 300 requests', detail: () => `${burst().length} printed`});
      const events = burst();
      expect(new Set(events.map((e) => e.path)).size).toBe(300);
      expect(events).toHaveLength(300);
      // An exchange gets its id when it starts and its event when it ends, so 30 concurrent requests end
      // out of id order: "in order" is the daemon's own order, which its history keeps.
      const history = (await cli(['logs', '--json', '--lines', '1000'], {env: t.env})).stdout
        .split('\n')
        .filter((l) => l.includes('/burst/'))
        .map((l) => (JSON.parse(l) as RequestEvent).id);
      expect(events.map((e) => e.id)).toEqual(history);
    } finally {
      follower.kill('SIGKILL');
    }
  });
});
