import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, daemonPort, expectNoStack, get, tempHome} from '../../helpers/cli.js';
import {startBackend} from '../../helpers/harness.js';

let t: ReturnType<typeof tempHome>;
// Each CLI call is a Node start-up: seconds on a busy 2-core machine, so these tests get 90 s.
beforeAll(async () => {
  t = tempHome();
  await cli(['up', '--port', '0'], {env: t.env});
});
afterAll(async () => {
  await t.cleanup();
});

const routesJson = () => readFileSync(path.join(t.home, 'routes.json'), 'utf8');

describe('front-door options on routes', () => {
  it('adds a route with options, keeps them in routes.json and shows them in ls and ls --json', async () => {
    const added = await cli(
      [
        'add',
        'api.localhost',
        '9090',
        '--cache',
        '--compress',
        '--cors=https://app.localhost',
        '--response-header',
        'X-Frame-Options: DENY',
        '--response-header',
        '-Server',
        '--rate-limit',
        '20/s,burst=40',
        '--delay',
        '300ms-1s',
        '--fail',
        '10%:503',
        '--drop',
        '5%',
      ],
      {env: t.env},
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(
      'cache 64MB, compress, response-header x-frame-options: DENY, response-header -server, cors https://app.localhost, rate-limit 20/s burst 40, delay 300ms-1s, fail 10%:503, drop 5%',
    );
    const options = {
      cache: {maxBytes: 64 * 1024 * 1024},
      compress: true,
      responseHeaders: [{name: 'x-frame-options', value: 'DENY'}, {name: 'server'}],
      cors: {origins: ['https://app.localhost']},
      rateLimit: {perSecond: 20, burst: 40},
      delay: {minMs: 300, maxMs: 1000},
      fail: {rate: 0.1, status: 503},
      drop: {rate: 0.05},
    };
    expect(JSON.parse(routesJson())[0].options).toEqual(options);
    const json = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout);
    expect(json.routes[0]).toMatchObject({host: 'api.localhost', options});
    expect((await cli(['ls'], {env: t.env})).stdout).toContain('cache 64MB · compress');
  });

  it('changes only the options named when adding to an existing route, and all with --replace', async () => {
    await cli(['add', 'opt.localhost', '9091', '--compress', '--cache=1MB'], {env: t.env});
    await cli(['add', 'opt.localhost', '9092', '--cache=2MB'], {env: t.env});
    let route = JSON.parse(routesJson()).find((r: {host: string}) => r.host === 'opt.localhost');
    expect(route.options).toEqual({compress: true, cache: {maxBytes: 2 * 1024 * 1024}});
    await cli(['add', 'opt.localhost', '9093', '--replace', '--fail', '50%'], {env: t.env});
    route = JSON.parse(routesJson()).find((r: {host: string}) => r.host === 'opt.localhost');
    expect(route.options).toEqual({fail: {rate: 0.5, status: 503}});
  });

  it('refuses a bad option value in one sentence and changes nothing', async () => {
    const before = routesJson();
    for (const [args, message] of [
      [['--delay', 'abc'], /Invalid --delay `abc`: expected a duration from 0ms to 10m with its unit \(ms, s, m or h\)/],
      [['--fail', '10%:200'], /Invalid --fail `10%:200`: expected a share like 10% or 10%:503/],
      [['--rate-limit', 'lots'], /Invalid --rate-limit `lots`: expected a rate like 20\/s/],
      [['--cache=huge'], /Invalid --cache `huge`: expected a size/],
      [['--response-header', 'NoColon'], /Invalid --response-header `NoColon`/],
    ] as Array<[string[], RegExp]>) {
      const result = await cli(['add', 'bad.localhost', '9090', ...args], {env: t.env});
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
      expectNoStack(result);
    }
    expect(routesJson()).toBe(before);
  });

  it('clears a route cache, and says clearly when a route does not cache', async () => {
    const cleared = await cli(['cache', 'clear', 'api.localhost'], {env: t.env});
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toMatch(/Cleared 0 cached responses \(0\.0 KB\) from api\.localhost\./);
    const all = JSON.parse((await cli(['cache', 'clear', '--json'], {env: t.env})).stdout);
    // opt.localhost stopped caching with --replace above: only api.localhost has a cache.
    expect(all.cleared).toEqual([{route: 'api.localhost', responses: 0, bytes: 0}]);
    const refused = await cli(['cache', 'clear', 'opt.localhost'], {env: t.env});
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Route `opt\.localhost` does not cache\./);
    expectNoStack(refused);
    const unknown = await cli(['cache', 'clear', 'nope.localhost'], {env: t.env});
    expect(unknown.stderr).toMatch(/No route `nope\.localhost` to clear the cache of\./);
  });

  it('empties a cache that holds responses: the next request goes to the backend again', async () => {
    const b = await startBackend('cached', (_req, res) => res.setHeader('cache-control', 'max-age=600').end(`answer ${b.hits}`));
    try {
      expect((await cli(['add', 'held.localhost', String(b.port), '--cache'], {env: t.env})).code).toBe(0);
      const port = await daemonPort(t.env);
      const first = await get(port, 'held.localhost', '/item', t.home);
      const second = await get(port, 'held.localhost', '/item', t.home);
      expect(second.headers['cache-status']).toMatch(/hit/);
      expect([first.body, second.body, b.hits]).toEqual(['answer 1', 'answer 1', 1]);
      const cleared = JSON.parse((await cli(['cache', 'clear', 'held.localhost', '--json'], {env: t.env})).stdout);
      expect(cleared.cleared).toEqual([{route: 'held.localhost', responses: 1, bytes: expect.any(Number)}]);
      expect(cleared.cleared[0].bytes).toBeGreaterThan(0);
      const after = await get(port, 'held.localhost', '/item', t.home);
      expect([after.body, b.hits]).toEqual(['answer 2', 2]);
    } finally {
      await b.close();
    }
  });
});
