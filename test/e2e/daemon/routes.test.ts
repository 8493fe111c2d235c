import {spawn, execFileSync} from 'node:child_process';
import http from 'node:http';
import {mkdtempSync, readFileSync, symlinkSync, writeFileSync, mkdirSync, readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {call} from '../../../src/daemon/client.js';
import {statePaths} from '../../../src/state/home.js';
import {BIN, cli, tempHome} from '../../helpers/cli.js';
import {waitFor} from '../../helpers/wait.js';

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

interface LsJson {
  daemon: {running: boolean; pid: number | null; port: number | null};
  routes: Array<{host: string; path: string; url: string; strategy: string; targets: Array<{target: string}>}>;
}
const ls = async (): Promise<LsJson> => JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as LsJson;
const targetsOf = (json: LsJson, host: string) => json.routes.find((r) => r.host === host)?.targets.map((x) => x.target);

describe('route commands', () => {
  it('appends instances to an existing route, replaces them with --replace, and removes one target with rm', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['add', 'app.localhost/api', '9090'], {env: t.env});
    const more = await cli(['add', 'app.localhost/api', '9091', '--strategy', 'least-conn'], {env: t.env});
    expect(more.stdout).toMatch(/Updated https:\/\/app\.localhost:\d+\/api/);
    const json = await ls();
    expect(targetsOf(json, 'app.localhost')).toEqual(['http://localhost:9090', 'http://localhost:9091']);
    expect(json.routes[0]!.strategy).toBe('least-conn');
    await cli(['add', 'app.localhost/api', '9092', '--replace'], {env: t.env});
    expect(targetsOf(await ls(), 'app.localhost')).toEqual(['http://localhost:9092']);
    await cli(['add', 'app.localhost/api', '9093'], {env: t.env});
    const rm = await cli(['rm', 'app.localhost/api', '9092'], {env: t.env});
    expect(rm.code, rm.stderr).toBe(0);
    expect(targetsOf(await ls(), 'app.localhost')).toEqual(['http://localhost:9093']);
    const gone = await cli(['rm', 'app.localhost/api'], {env: t.env});
    expect(gone.stdout).toMatch(/Removed app\.localhost\/api\./);
    expect((await ls()).routes).toEqual([]);
  });

  it('lists the saved routes while the daemon is down, with pid and port null', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['add', 'api.localhost', '9090'], {env: t.env});
    await cli(['down'], {env: t.env});
    const json = await ls();
    expect(json.daemon).toEqual({running: false, pid: null, port: null});
    expect(json.routes.map((r) => r.host)).toEqual(['api.localhost']);
    const table = await cli(['ls'], {env: t.env});
    expect(table.stdout).toMatch(/not running/);
    expect(table.stdout).toMatch(/https:\/\/api\.localhost:\d+\//);
  });

  it('says that routes.json is unreadable while the daemon is down, and leaves the file alone', async () => {
    mkdirSync(t.home, {recursive: true, mode: 0o700});
    writeFileSync(path.join(t.home, 'routes.json'), '[{"host": ');
    const table = await cli(['ls'], {env: t.env});
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/routes\.json is not valid .*`portico up` will move it aside/);
    expect(readFileSync(path.join(t.home, 'routes.json'), 'utf8')).toBe('[{"host": ');
    expect(readdirSync(t.home).filter((f) => f.includes('corrupt'))).toEqual([]);
  });

  it('refuses a control request whose body has the wrong shape, naming the endpoint and the field, and changes nothing', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['add', 'app.localhost', '9090'], {env: t.env});
    const before = readFileSync(path.join(t.home, 'routes.json'), 'utf8');
    const payload = JSON.stringify({spec: 'app.localhost', targets: 9091});
    const answer = await new Promise<{status: number; body: {error: string; exit?: number}}>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: statePaths(t.home).socket,
          method: 'POST',
          path: '/routes/add',
          headers: {'content-type': 'application/json', 'content-length': Buffer.byteLength(payload)},
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({status: res.statusCode ?? 0, body: JSON.parse(text) as {error: string; exit?: number}}));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({error: 'Invalid request body for POST /routes/add: `targets` must be a list of targets, not 9091.', exit: 2});
    expect(readFileSync(path.join(t.home, 'routes.json'), 'utf8')).toBe(before);
  });

  it('drops the targets of a `portico run` process once it exits', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], {stdio: 'ignore'});
    try {
      await call(statePaths(t.home), 'addRoute', {spec: 'run.localhost', targets: ['9500'], owner: owner.pid});
      await cli(['add', 'run.localhost', '9501'], {env: t.env});
      expect(targetsOf(await ls(), 'run.localhost')).toEqual(['http://localhost:9500', 'http://localhost:9501']);
      owner.kill('SIGKILL');
      await waitFor(async () => targetsOf(await ls(), 'run.localhost')?.length === 1, {what: "the daemon to drop the exited owner's target", interval: 200});
      expect(targetsOf(await ls(), 'run.localhost')).toEqual(['http://localhost:9501']);
      const saved = JSON.parse(readFileSync(path.join(t.home, 'routes.json'), 'utf8')) as Array<{targets: unknown[]}>;
      expect(saved[0]!.targets).toEqual([{url: 'http://localhost:9501'}]);
    } finally {
      owner.kill('SIGKILL');
    }
  });

  it('works the same under the name `proxy`', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-bin-'));
    const proxy = path.join(dir, 'proxy');
    symlinkSync(BIN, proxy);
    const env = {...t.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${t.env.PATH ?? ''}`, PORTICO_PORT: '0'};
    const out = execFileSync(proxy, ['add', 'api.localhost', '9090'], {env}).toString();
    expect(out).toMatch(/Added https:\/\/api\.localhost:\d+\//);
    expect(targetsOf(await ls(), 'api.localhost')).toEqual(['http://localhost:9090']);
    expect(execFileSync(proxy, ['--help'], {env}).toString()).toMatch(/add/);
  });
});
