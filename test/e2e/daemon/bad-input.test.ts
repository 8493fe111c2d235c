import {mkdirSync, readFileSync, writeFileSync, mkdtempSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, expectNoStack, tempHome} from '../../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
let before: string;
beforeAll(async () => {
  t = tempHome();
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', 'keep.localhost', '9000'], {env: t.env});
  before = readFileSync(path.join(t.home, 'routes.json'), 'utf8');
});
afterAll(async () => {
  await t.cleanup();
});

async function refused(args: string[], message: RegExp, options: {env?: NodeJS.ProcessEnv; cwd?: string} = {}) {
  const result = await cli(args, {env: options.env ?? t.env, cwd: options.cwd});
  expect(result.code, result.stdout).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expectNoStack(result);
  expect(readFileSync(path.join(t.home, 'routes.json'), 'utf8')).toBe(before);
  return result;
}

describe('bad input gets one clear sentence, a non-zero exit, and changes nothing', () => {
  it('refuses a name outside .localhost', async () => {
    await refused(['add', 'api.example.com', '9090'], /Invalid name `api\.example\.com`: portico serves only `localhost` and names under `\.localhost`\./);
  });

  it('refuses a malformed name', async () => {
    await refused(['add', 'bad_name.localhost', '9090'], /Invalid name `bad_name\.localhost`: label `bad_name`/);
  });

  it('refuses a port outside 1-65535', async () => {
    await refused(['add', 'x.localhost', '70000'], /Invalid target `70000`: port 70000 is outside 1-65535\./);
    await refused(['add', 'x.localhost', '0'], /Invalid target `0`: port 0 is outside 1-65535\./);
  });

  it('refuses an unparsable target', async () => {
    await refused(['add', 'x.localhost', 'not a target'], /Invalid target `not a target`: expected a port, host:port or URL\./);
  });

  it('refuses an unknown flag', async () => {
    await refused(['add', 'x.localhost', '9090', '--fast'], /Unknown flag `--fast` for `portico add`\./);
  });

  it('refuses missing arguments', async () => {
    await refused(['add', 'x.localhost'], /Missing TARGET for `portico add`\./);
    await refused(['add'], /Missing ROUTE and TARGET for `portico add`\./);
  });

  it('refuses an unknown strategy, naming the choices', async () => {
    await refused(
      ['add', 'x.localhost', '9090', '--strategy', 'fastest'],
      /Invalid --strategy `fastest`: expected one of round-robin, least-conn, random, first, sticky\./,
    );
  });

  it('refuses to remove a route that does not exist', async () => {
    // Not there: exit 4, as for a request that is not in the recent traffic (README "Exit codes").
    expect((await refused(['rm', 'nope.localhost'], /No route `nope\.localhost` to remove\./)).code).toBe(4);
    expect((await refused(['rm', 'keep.localhost', '9999'], /Route `keep\.localhost` has no target `http:\/\/localhost:9999`\./)).code).toBe(4);
  });

  it('names the line and column of a malformed portico.json', async () => {
    const project = mkdtempSync(path.join(t.home, '..', 'bad-project-'));
    writeFileSync(path.join(project, 'portico.json'), '{\n  "routes": {\n    "app.localhost": 5173,\n  }\n}\n');
    await refused(['up'], /Malformed JSON in `.*portico\.json` at line 4, column 3\./, {cwd: project});
  });

  it('refuses a PORTICO_HOME that is not a writable directory', async () => {
    const file = path.join(t.home, '..', 'a-file');
    writeFileSync(file, 'x');
    const result = await cli(['up', '--port', '0'], {env: {...t.env, PORTICO_HOME: path.join(file, 'home')}});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Cannot use PORTICO_HOME `.*a-file\/home`: it is not a directory\./);
    expectNoStack(result);
  });

  it('names a port that is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const other = tempHome();
    try {
      const result = await cli(['up', '--port', String(port)], {env: other.env});
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(new RegExp(`Port ${port} is in use by another program\\.`));
      expectNoStack(result);
    } finally {
      blocker.close();
      await other.cleanup();
    }
  });

  it('exits 2 for every bad flag value, as for an unknown strategy, with one sentence naming it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['add', 'x.localhost', '9090', '--strategy', 'fastest'], /Invalid --strategy `fastest`/],
      [['add', 'x.localhost', '9090', '--rate-limit', 'fast'], /Invalid --rate-limit `fast`: expected a rate like 20\/s/],
      [['add', 'x.localhost', '9090', '--timeout', 'abc'], /Invalid --timeout `abc`: expected a duration/],
      [['add', 'x.localhost', '9090', '--cache=lots'], /Invalid --cache `lots`: expected a size/],
      [['add', 'x.localhost', '9090', '--delay', 'zz'], /Invalid --delay `zz`/],
      [['add', 'x.localhost', '9090', '--fail', 'x'], /Invalid --fail `x`/],
      [['add', 'x.localhost', '9090', '--drop', 'y'], /Invalid --drop `y`/],
      [['add', 'x.localhost', '9090', '--request-header', 'bad'], /Invalid --request-header `bad`/],
      [['add', 'x.localhost', '9090', '--cors=zz'], /Invalid --cors `zz`/],
      [['add', 'x.localhost', '9090', '--health', 'nope'], /Invalid health path `nope`/],
      [['add', 'x.localhost', '9090', '--rate-limit-burst', '4'], /--rate-limit-burst needs --rate-limit/],
      [['add', 'x.localhost', 'not a target'], /Invalid target `not a target`/],
      [['add', 'api.example.com', '9090'], /Invalid name `api\.example\.com`/],
      [['up', '--timeout', 'abc'], /Invalid --timeout \(or PORTICO_TIMEOUT\) `abc`/],
      [['run', '--instances', 'abc', '--', 'node', 'x'], /Invalid --instances `abc`/],
      [['logs', '--status', 'abc'], /Invalid --status `abc`/],
      [['trust', '--check', '--stores', 'nope'], /Invalid store `nope` in --stores/],
      [['export', 'nginx', '--domain', 'http://x'], /Invalid --domain `http:\/\/x`/],
    ];
    for (const [args, message] of cases) {
      const result = await refused(args, message);
      expect(result.code, `portico ${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().split('\n')[0]).toMatch(/^portico: [^\n]+\.$/);
    }
  });

  it('refuses a port flag out of range', async () => {
    await refused(['up', '--port', '99999'], /Invalid --port `99999`: expected an integer less than or equal to 65535\./);
  });
});

describe('both executables', () => {
  it('refuses a flag `add` does not have instead of taking it for a target', async () => {
    await refused(['add', 'keep.localhost', '9001', '--bogus'], /Unknown flag `--bogus` for `portico add`\./);
  });

  it('shows one route and many targets in `add --help` and `rm --help`', async () => {
    for (const command of ['add', 'rm']) {
      const help = (await cli([command, '--help'], {env: t.env})).stdout;
      expect(help).toMatch(/^ {2}ROUTE {2,}host or host\/path/m);
      // One word for the route everywhere in the help: the usage line says ROUTE too, not HOST[/PATH].
      expect(help).toMatch(new RegExp(`^ {2}\\$ portico ${command} ROUTE `, 'm'));
      expect(help).not.toContain('HOST[/PATH]');
      expect(help).toMatch(/^ {2}\[?TARGET\.\.\.\]? /m);
    }
  });

  it('installs `portico` and `proxy` as the same program', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../package.json'), 'utf8'));
    expect(pkg.bin).toEqual({portico: 'bin/run.js', proxy: 'bin/run.js'});
    mkdirSync(t.home, {recursive: true});
  });
});
