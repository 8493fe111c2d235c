import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {call} from '../../../src/daemon/client.js';
import {MAX_CONTROL_BODY} from '../../../src/daemon/protocol.js';
import {statePaths} from '../../../src/state/home.js';
import {backend, cli, daemonPort, expectNoStack, get, tempHome} from '../../helpers/cli.js';

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

/** Exit 2, one sentence matching `message`, no stack, routes.json untouched. */
async function refused(args: string[], message: RegExp, cwd?: string) {
  const result = await cli(args, {env: t.env, cwd});
  expect(result.code, result.stdout + result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  expectNoStack(result);
  expect(readFileSync(path.join(t.home, 'routes.json'), 'utf8')).toBe(before);
  return result;
}

function project(config: unknown | string): string {
  const dir = mkdtempSync(path.join(t.home, '..', 'project-'));
  writeFileSync(path.join(dir, 'portico.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

describe('a header rule can never frame or route a message', () => {
  it('refuses at `add` a rule on Content-Length, Transfer-Encoding, Host, Connection, Upgrade, TE or Trailer, naming the header and why', async () => {
    await refused(
      ['add', 's.localhost', '9090', '--request-header', 'Content-Length: 0'],
      /Invalid --request-header `Content-Length: 0`: `Content-Length` is refused because it frames the message body, so a rule may not set or remove it\./,
    );
    await refused(['add', 's.localhost', '9090', '--response-header', 'Content-Length: 5'], /`Content-Length` is refused because it frames the message body/);
    await refused(
      ['add', 's.localhost', '9090', '--response-header', 'Transfer-Encoding: chunked'],
      /`Transfer-Encoding` is refused because it frames the message body/,
    );
    await refused(['add', 's.localhost', '9090', '--request-header', 'Host: evil.localhost'], /`Host` is refused because it routes the request/);
    await refused(['add', 's.localhost', '9090', '--request-header', '-Connection'], /`Connection` is refused because it is hop-by-hop/);
    await refused(['add', 's.localhost', '9090', '--request-header', 'Upgrade: h2c'], /`Upgrade` is refused because it switches the protocol/);
    await refused(['add', 's.localhost', '9090', '--request-header', 'TE: chunked'], /`TE` is refused because it is hop-by-hop/);
    await refused(['add', 's.localhost', '9090', '--response-header', 'Trailer: X'], /`Trailer` is refused because it frames the message body/);
  });

  it('refuses at `add` a pseudo-header and a value with a control or line-separator character', async () => {
    await refused(
      ['add', 's.localhost', '9090', '--request-header', ':authority: evil.localhost'],
      /`:authority` is refused because pseudo-headers frame and route the request/,
    );
    await refused(
      ['add', 's.localhost', '9090', '--request-header', 'X-A: 1\r\nContent-Length: 0'],
      /`X-A` is refused because the value holds a control or line-separator character/,
    );
    await refused(['add', 's.localhost', '9090', '--request-header', 'X-A: a\u0001b'], /`X-A` is refused because the value holds a control/);
    await refused(['add', 's.localhost', '9090', '--response-header', 'X-A: a\u2028b'], /`X-A` is refused because the value holds a control or line-separator/);
    await refused(['add', 's.localhost', '9090', '--response-header', 'X-A: a\u0085b'], /`X-A` is refused because the value holds a control or line-separator/);
  });

  it('refuses the same rules in portico.json at `up`, exit 2, nothing stored', async () => {
    const dir = project({routes: {'s.localhost': {targets: 9090, requestHeaders: ['Content-Length: 0']}}});
    await refused(
      ['up'],
      /Invalid `.*portico\.json`: route `s\.localhost`: Invalid requestHeaders `Content-Length: 0`: `Content-Length` is refused because it frames the message body/,
      dir,
    );
    const crlf = project({routes: {'s.localhost': {targets: 9090, responseHeaders: ['X-A: 1\nSet-Cookie: a=b']}}});
    await refused(['up'], /Invalid responseHeaders `X-A: 1\\nSet-Cookie: a=b`: `X-A` is refused because the value holds a control/, crlf);
    const nul = project({routes: {'s.localhost': {targets: 9090, responseHeaders: ['X-A: a\u0000b']}}});
    await refused(['up'], /Invalid responseHeaders `X-A: a\\u0000b`: `X-A` is refused because the value holds a control/, nul);
  });

  it('ignores, with a notice, a forbidden rule in a stored routes.json and keeps serving the route', async () => {
    const other = tempHome();
    const app = await backend('stored');
    try {
      await cli(['up', '--port', '0'], {env: other.env});
      await cli(['add', 'stored.localhost', String(app.port), '--request-header', 'X-Ok: yes'], {env: other.env});
      await cli(['down'], {env: other.env});
      const file = path.join(other.home, 'routes.json');
      const routes = JSON.parse(readFileSync(file, 'utf8'));
      routes[0].options.requestHeaders.push({name: 'content-length', value: '0'});
      writeFileSync(file, JSON.stringify(routes));
      const up = await cli(['up', '--port', '0'], {env: other.env});
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(
        /Ignored a stored header rule on stored\.localhost: `content-length` \(requestHeaders\) is refused because it frames the message body/,
      );
      const ls = JSON.parse((await cli(['ls', '--json'], {env: other.env})).stdout);
      expect(ls.routes[0].options.requestHeaders).toEqual([{name: 'x-ok', value: 'yes'}]);
      const answer = await get(await daemonPort(other.env), 'stored.localhost', '/', other.home);
      expect(answer.body).toBe('stored GET /');
    } finally {
      await other.cleanup();
      await app.close();
    }
  });
});

describe('a project file has a depth and a size limit', () => {
  it('refuses a portico.json nested very deep with one sentence, exit 2', async () => {
    const dir = project(`{"routes": {"a.localhost": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
    await refused(['up'], /Invalid `.*portico\.json`: it nests deeper than 64 levels of objects and lists\./, dir);
  });

  it('refuses a portico.json of many megabytes with one sentence, exit 2', async () => {
    const routes: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) routes[`r${i}.localhost`] = 9000;
    const dir = project({routes});
    await refused(['up'], /Invalid `.*portico\.json`: it is larger than 4 MiB, far more than any project's routes\./, dir);
  });
});

describe('a control request larger than the daemon reads', () => {
  it('refuses at `up` a portico.json under 4 MiB whose routes make a request over 1 MiB, with one sentence instead of a closed connection, exit 2', async () => {
    const routes: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) routes[`r${i}.localhost`] = {targets: 9000, responseHeaders: [`X-Pad: ${'a'.repeat(4000)}`]};
    const dir = project({routes});
    expect(statSync(path.join(dir, 'portico.json')).size).toBeLessThan(4 * 1024 * 1024);
    const result = await refused(['up'], /The request to the portico daemon is larger than 1 MiB: POST \/\S+ \(\d+\.\d MiB\) was not sent\./, dir);
    expect(result.stderr).not.toMatch(/closed the connection/);
  });

  it('the daemon answers a client that sends one anyway 413 with the same sentence, whether the length is declared or the body is chunked', async () => {
    const socketPath = statePaths(t.home).socket;
    const send = (declared: boolean) =>
      new Promise<{status: number; body: {error: string; exit: number}}>((resolve, reject) => {
        const body = Buffer.alloc(MAX_CONTROL_BODY + 1024, 'a');
        const req = http.request({socketPath, method: 'POST', path: '/routes/project', headers: declared ? {'content-length': body.length} : {}}, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({status: res.statusCode ?? 0, body: JSON.parse(text)}));
        });
        // Whatever happens to the connection, the test ends: with the answer, or failing for the lack of it.
        req.on('error', reject);
        req.end(body);
      });
    for (const declared of [true, false]) {
      const answer = await send(declared);
      expect(answer.status, `declared ${declared}`).toBe(413);
      expect(answer.body.error).toMatch(/^The request to the portico daemon is larger than 1 MiB: POST \/routes.* was refused\.$/);
      expect(answer.body.exit).toBe(2);
    }
    // The daemon still answers afterwards.
    expect(await call(statePaths(t.home), 'status')).toMatchObject({pid: expect.any(Number)});
  });
});

describe('a project file sends names off this machine only when it says so', () => {
  it('refuses at `up` a portico.json whose target is outside loopback, naming the route and the target, exit 2, nothing stored', async () => {
    const dir = project({routes: {'app.localhost': 'https://example.com:443', 'web.localhost': 5173}});
    await refused(
      ['up'],
      /Refusing `.*portico\.json`: route `app\.localhost` points at `https:\/\/example\.com:443`, outside this machine, and the file does not say `"allowRemoteTargets": true`\./,
      dir,
    );
    const ip = project({routes: {'app.localhost': '93.184.216.34:80', 'b.localhost': '10.0.0.2:80'}});
    await refused(['up'], /route `app\.localhost` points at `http:\/\/93\.184\.216\.34:80` \(and 1 more\), outside this machine/, ip);
  });

  it('with "allowRemoteTargets": true, `up` registers them and names every one', async () => {
    const dir = project({
      allowRemoteTargets: true,
      routes: {'app.localhost': 'https://example.com:443', 'b.localhost/api': '10.0.0.2:80', 'c.localhost': 5173, 'd.localhost': '[::1]:5173'},
    });
    const result = await cli(['up'], {env: t.env, cwd: dir});
    expect(result.code, result.stderr).toBe(0);
    const named = result.stdout.split('\n').filter((l) => /outside this machine/.test(l));
    expect(named).toEqual([
      expect.stringMatching(/`app\.localhost` goes to https:\/\/example\.com:443, outside this machine \(allowRemoteTargets in .*portico\.json\)\./),
      expect.stringMatching(/`b\.localhost\/api` goes to http:\/\/10\.0\.0\.2:80, outside this machine/),
    ]);
    await cli(['rm', 'app.localhost'], {env: t.env});
    await cli(['rm', 'b.localhost/api'], {env: t.env});
    await cli(['rm', 'c.localhost'], {env: t.env});
    await cli(['rm', 'd.localhost'], {env: t.env});
  });

  it('still takes a remote target typed on the command line, as before', async () => {
    const result = await cli(['add', 'remote.localhost', 'https://example.com:443'], {env: t.env});
    expect(result.code, result.stderr).toBe(0);
    await cli(['rm', 'remote.localhost'], {env: t.env});
  });
});
