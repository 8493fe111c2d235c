import {existsSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {call} from '../../../src/daemon/client.js';
import {statePaths} from '../../../src/state/home.js';
import type {ExchangeCapture} from '../../../src/traffic/capture.js';
import type {Har} from '../../../src/traffic/har.js';
import {dashActions} from '../../../src/ui/actions.js';
import {daemonSource} from '../../../src/ui/source.js';
import {cli, daemonPort, spawnCli, tempHome} from '../../helpers/cli.js';
import {harValidator} from '../../helpers/har.js';
import {waitFor} from '../../helpers/wait.js';

let t: ReturnType<typeof tempHome>;
let app: http.Server;
let port: number;
beforeAll(async () => {
  t = tempHome();
  app = http.createServer((req, res) => {
    req.resume();
    res.setHeader('set-cookie', 'session=server-secret; HttpOnly');
    res.end(`saw ${req.url}`);
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', 'secret.localhost', String((app.address() as {port: number}).port)], {env: t.env});
  port = await daemonPort(t.env);
});
afterAll(async () => {
  await t.cleanup();
  app.closeAllConnections();
  app.close();
});

/** A request through portico carrying credentials. */
function send(urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        servername: 'secret.localhost',
        ca: readFileSync(path.join(t.home, 'ca.pem')),
        agent: false,
        headers: {host: 'secret.localhost', authorization: 'Bearer client-token', cookie: 'sid=client-cookie', 'proxy-authorization': 'Basic cHJveHk='},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const paths = () => statePaths(t.home);
const captured = (): Promise<ExchangeCapture[]> => call(paths(), 'exchanges');
const harOf = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Har;
const headerOf = (headers: Array<{name: string; value: string}>, name: string) => headers.find((h) => h.name === name)?.value;

describe('traffic files keep secrets out and are readable by their owner only', () => {
  it('logs --follow --har writes each request as it comes, mode 0600, credentials redacted', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'portico-har-')), 'follow.har');
    writeFileSync(file, 'old', {mode: 0o644});
    const follower = spawnCli(['logs', '--follow', '--lines', '0', '--har', file], t.env);
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => (out += d));
    await waitFor(async () => (await send('/probe'), (await captured()).length > 0), {what: 'the follower to turn capture on'});
    expect(await send('/private')).toBe(200);
    // Written as it goes: the request is on disk while the follower still runs.
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('/private'), {what: 'the request to reach the file before Ctrl-C'});
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const exited = new Promise<number | null>((resolve) => follower.once('exit', (code) => resolve(code)));
    follower.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/Wrote \d+ requests? to .*follow\.har/);
    const har = harOf(file);
    expect(harValidator()(har).errors).toBe('No errors');
    const entry = har.log.entries.find((e) => e.request.url.endsWith('/private'))!;
    expect(headerOf(entry.request.headers, 'authorization')).toBe('[redacted]');
    expect(headerOf(entry.request.headers, 'cookie')).toBe('[redacted]');
    expect([undefined, '[redacted]']).toContain(headerOf(entry.request.headers, 'proxy-authorization'));
    expect(headerOf(entry.response.headers, 'set-cookie')).toBe('[redacted]');
    expect(readFileSync(file, 'utf8')).not.toMatch(/client-token|client-cookie|server-secret|cHJveHk=/);
  });

  it('logs --har writes a 0600 file with credentials redacted, and keeps them with --with-secrets', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-har-'));
    const redacted = path.join(dir, 'redacted.har');
    expect((await cli(['logs', '--har', redacted], {env: t.env})).code).toBe(0);
    expect(statSync(redacted).mode & 0o777).toBe(0o600);
    expect(readFileSync(redacted, 'utf8')).not.toMatch(/client-token|client-cookie|server-secret/);
    const kept = path.join(dir, 'kept.har');
    expect((await cli(['logs', '--har', kept, '--with-secrets'], {env: t.env})).code).toBe(0);
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    const entry = harOf(kept).log.entries.find((e) => e.request.url.endsWith('/private'))!;
    expect(headerOf(entry.request.headers, 'authorization')).toBe('Bearer client-token');
    expect(headerOf(entry.response.headers, 'set-cookie')).toBe('session=server-secret; HttpOnly');
  });

  it("the dashboard's w writes a 0600 HAR file with credentials redacted", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-har-'));
    const captures = await captured();
    const events = captures.map((c) => ({
      type: 'request' as const,
      id: c.id,
      time: c.started,
      method: c.method,
      host: c.host,
      path: c.url,
      status: c.status ?? 200,
      duration: 1,
      bytes: 0,
      protocol: 'h1' as const,
      captured: true,
    }));
    const actions = dashActions({source: daemonSource(paths()), dir});
    const file = await actions.writeHar!(events);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('[redacted]');
    expect(readFileSync(file, 'utf8')).not.toMatch(/client-token|client-cookie|server-secret/);
  });
});
