import {execFileSync} from 'node:child_process';
import {readFileSync, statSync, writeFileSync, existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {pidAlive} from '../../../src/state/pid.js';
import {backend, cli, daemonPort, get, tempHome} from '../../helpers/cli.js';
import {refuses} from '../../helpers/daemon.js';
import {TIMEOUT, gate, waitFor} from '../../helpers/wait.js';

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

function daemonPid(): number {
  return (JSON.parse(readFileSync(path.join(t.home, 'daemon.json'), 'utf8')) as {pid: number}).pid;
}

describe('the daemon lifecycle', () => {
  it('starts once, answers `up` again without a second daemon, and stops with down', async () => {
    const first = await cli(['up', '--port', '0'], {env: t.env});
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Started the portico daemon \(pid \d+\) on port \d+/);
    const pid = daemonPid();
    const again = await cli(['up'], {env: t.env});
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`running on port \\d+ \\(pid ${pid}\\)`));
    expect(daemonPid()).toBe(pid);
    const down = await cli(['down'], {env: t.env});
    expect(down.stdout).toMatch(/portico stopped/);
    expect(pidAlive(pid)).toBe(false);
    const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout);
    expect(ls.daemon.running).toBe(false);
  });

  it('serves a route added with `add`, over the URL it printed', async () => {
    const api = await backend('api');
    try {
      await cli(['up', '--port', '0'], {env: t.env});
      const added = await cli(['add', 'api.localhost', String(api.port)], {env: t.env});
      expect(added.code).toBe(0);
      const url = /https:\/\/api\.localhost:(\d+)\//.exec(added.stdout);
      expect(url).not.toBeNull();
      const res = await get(Number(url![1]), 'api.localhost', '/hello', t.home);
      expect(res.status).toBe(200);
      expect(res.body).toBe('api GET /hello');
    } finally {
      await api.close();
    }
  });

  it('keeps routes across down and up, and serves them again', async () => {
    const api = await backend('api');
    try {
      await cli(['up', '--port', '0'], {env: t.env});
      await cli(['add', 'api.localhost', String(api.port)], {env: t.env});
      await cli(['down'], {env: t.env});
      await cli(['up', '--port', '0'], {env: t.env});
      const port = await daemonPort(t.env);
      expect((await get(port, 'api.localhost', '/', t.home)).body).toBe('api GET /');
    } finally {
      await api.close();
    }
  });

  it('recovers after the daemon is killed with SIGKILL', async () => {
    const api = await backend('api');
    try {
      await cli(['up', '--port', '0'], {env: t.env});
      await cli(['add', 'api.localhost', String(api.port)], {env: t.env});
      process.kill(daemonPid(), 'SIGKILL');
      await waitFor(() => refuses(path.join(t.home, 'portico.sock')), {what: "the killed daemon's control socket to refuse connections"});
      const up = await cli(['up', '--port', '0'], {env: t.env});
      expect(up.code).toBe(0);
      expect(up.stdout).toMatch(/Started the portico daemon/);
      const port = await daemonPort(t.env);
      expect((await get(port, 'api.localhost', '/x', t.home)).body).toBe('api GET /x');
    } finally {
      await api.close();
    }
  });

  it(
    'keeps all 20 routes when 20 `add`s run at once, even while the daemon is starting',
    async () => {
      const results = await Promise.all(
        Array.from({length: 20}, (_, i) => cli(['add', `svc${i}.localhost`, '9000'], {env: {...t.env, PORTICO_PORT: '0'}, timeoutMs: TIMEOUT.crowd})),
      );
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout);
      expect(ls.routes.map((r: {host: string}) => r.host).sort()).toEqual(Array.from({length: 20}, (_, i) => `svc${i}.localhost`).sort());
      const saved = JSON.parse(readFileSync(path.join(t.home, 'routes.json'), 'utf8'));
      expect(saved).toHaveLength(20);
    },
    TIMEOUT.crowd + TIMEOUT.daemon,
  );

  it('applies a route change live while a long request is in flight', async () => {
    const release = gate();
    const slow = await backend('slow', release.promise);
    try {
      await cli(['up', '--port', '0'], {env: t.env});
      await cli(['add', 'slow.localhost', String(slow.port)], {env: t.env});
      const port = await daemonPort(t.env);
      const inFlight = get(port, 'slow.localhost', '/long', t.home);
      await waitFor(() => slow.hits() === 1, {what: 'the long request to reach the backend'});
      const change = await cli(['add', 'other.localhost', '9999'], {env: t.env});
      expect(change.code).toBe(0);
      release.open();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.body).toBe('slow GET /long');
    } finally {
      release.open();
      await slow.close();
    }
  });

  it('keeps its state private: directory 0700, control socket 0600, CA key 0600', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    expect(statSync(t.home).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(t.home, 'portico.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(t.home, 'ca-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('listens on loopback only', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    const port = await daemonPort(t.env);
    const listening = execFileSync('ss', ['-ltnH'])
      .toString()
      .split('\n')
      .filter((l) => l.includes(`:${port} `));
    expect(listening.length).toBeGreaterThan(0);
    for (const line of listening) expect(line).toMatch(/(127\.0\.0\.1|\[::1\]):\d+/);
  });

  it('moves a corrupt routes.json aside, intact, and says where it went', async () => {
    const {mkdirSync} = await import('node:fs');
    mkdirSync(t.home, {recursive: true, mode: 0o700});
    writeFileSync(path.join(t.home, 'routes.json'), '{"this is": not json');
    const up = await cli(['up', '--port', '0'], {env: t.env});
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/routes\.json is not valid .* moved to .*routes\.json\.corrupt-/);
    const aside = readdirSync(t.home).find((f) => f.startsWith('routes.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(readFileSync(path.join(t.home, aside!), 'utf8')).toBe('{"this is": not json');
    const ls = await cli(['ls'], {env: t.env});
    expect(ls.stdout).toMatch(/corrupt-/);
    expect(existsSync(path.join(t.home, 'routes.json'))).toBe(false);
  });

  it("registers the routes of ./portico.json on up, replacing that project's earlier ones", async () => {
    const {mkdtempSync, mkdirSync} = await import('node:fs');
    const project = mkdtempSync(path.join(t.home, '..', 'proj-'));
    mkdirSync(project, {recursive: true});
    writeFileSync(path.join(project, 'portico.json'), JSON.stringify({routes: {'web.localhost': 5173, 'web.localhost/api': [9090, 9091]}}));
    const up = await cli(['up', '--port', '0'], {env: t.env, cwd: project});
    expect(up.stdout).toMatch(/Registered 2 routes/);
    writeFileSync(path.join(project, 'portico.json'), JSON.stringify({routes: {'web.localhost': 5174}}));
    await cli(['up'], {env: t.env, cwd: project});
    const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout);
    expect(ls.routes).toHaveLength(1);
    expect(ls.routes[0].targets[0].target).toBe('http://localhost:5174');
  });

  it('prints ls --json in the documented shape', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['add', 'api.localhost', '9090'], {env: t.env});
    const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout);
    expect(Object.keys(ls)).toEqual(['daemon', 'ca', 'routes']);
    expect(Object.keys(ls.daemon)).toEqual(['running', 'pid', 'port']);
    expect(ls.ca).toBe(path.join(t.home, 'ca.pem'));
    // The documented keys, in order; fields added since come after them (owner: README "Commands").
    expect(Object.keys(ls.routes[0])).toEqual(['host', 'path', 'url', 'strategy', 'targets', 'owner']);
    expect(ls.routes[0].owner).toEqual({kind: 'hand'});
    expect(Object.keys(ls.routes[0].targets[0])).toEqual(['target', 'healthy', 'active', 'requests', 'weight']);
    expect(ls.routes[0]).toMatchObject({host: 'api.localhost', path: '/', strategy: 'round-robin', url: `https://api.localhost:${ls.daemon.port}/`});
  });
});
