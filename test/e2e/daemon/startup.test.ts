import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {backend, cli, daemonPort, expectNoStack, get, tempHome} from '../../helpers/cli.js';
import {pidAlive} from '../../../src/state/pid.js';
import {fakeOldDaemon, freePort, refuses, running, spawnDaemonEntry} from '../../helpers/daemon.js';
import {gate, waitFor} from '../../helpers/wait.js';

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

const pidOf = (home: string) => (JSON.parse(readFileSync(path.join(home, 'daemon.json'), 'utf8')) as {pid: number}).pid;

describe('daemon start-up', () => {
  it('ends up with exactly one daemon when ten start at once over the socket a crashed one left', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    process.kill(pidOf(t.home), 'SIGKILL');
    await waitFor(() => refuses(path.join(t.home, 'portico.sock')), {what: "the killed daemon's socket to refuse connections"});
    expect(existsSync(path.join(t.home, 'portico.sock'))).toBe(true);
    const daemons = Array.from({length: 10}, () => spawnDaemonEntry(t.env));
    try {
      // Wait for the losers; the winner keeps running, so stop waiting once all but one have left.
      const exitedCount = () => daemons.filter((d) => d.exitCode !== null || d.signalCode !== null).length;
      await waitFor(() => exitedCount() >= daemons.length - 1, {what: 'nine of the ten daemons to exit', detail: () => `${exitedCount()} exited`});
      const codes = daemons.map((d) => d.exitCode);
      // One keeps running; every other one saw it answering and left with "already running" (3).
      expect(codes.filter((c) => c === null)).toHaveLength(1);
      expect(codes.filter((c) => c === 3)).toHaveLength(9);
      const winner = daemons[codes.indexOf(null)]!;
      const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout);
      expect(ls.daemon).toMatchObject({running: true, pid: winner.pid});
    } finally {
      for (const d of daemons) d.kill('SIGKILL');
    }
  });

  it('never signals a program that took over the pid of a crashed daemon', async () => {
    // Runs until killed in `finally`, however long the test takes.
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], {stdio: 'ignore'});
    try {
      mkdirSync(t.home, {recursive: true, mode: 0o700});
      writeFileSync(
        path.join(t.home, 'daemon.json'),
        JSON.stringify({pid: sleeper.pid, version: '0.1.0', port: 1443, socket: path.join(t.home, 'portico.sock'), startedAt: 0}),
      );
      const down = await cli(['down'], {env: t.env});
      expect(down.code).toBe(0);
      expect(down.stdout).toMatch(/portico was not running/);
      // Still running, not a zombie awaiting reaping (kill(pid, 0) alone cannot tell).
      expect(running(sleeper.pid!)).toBe(true);
      const up = await cli(['up', '--port', '0'], {env: t.env});
      expect(up.code, up.stderr).toBe(0);
      expect(pidOf(t.home)).not.toBe(sleeper.pid);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('restarts a daemon of another version on `up`, and says so', async () => {
    const old = await fakeOldDaemon(t.home, '0.0.1');
    try {
      const up = await cli(['up', '--port', '0'], {env: t.env});
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/Restarting the portico daemon: it runs version 0\.0\.1, this is \d+\.\d+\.\d+\./);
      expect(old.shutdowns()).toBe(1);
      const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout);
      expect(ls.daemon.running).toBe(true);
      expect(ls.daemon.pid).toBe(pidOf(t.home));
    } finally {
      await old.close();
    }
  });

  it('makes the CA before the daemon starts, so the daemon loads node-forge only to issue a leaf', async () => {
    // A preload that notes the moment the daemon (not a CLI) loads node-forge; env passes through `up`.
    const marker = path.join(path.dirname(t.home), 'forge-loaded');
    const preload = path.join(path.dirname(t.home), 'note-forge.cjs');
    writeFileSync(
      preload,
      `const M = require('node:module'); const load = M._load;
M._load = function (request, ...rest) { if (request === 'node-forge' && /daemon.entry\\.js$/.test(process.argv[1])) require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'yes'); return load.call(this, request, ...rest); };`,
    );
    const env = {...t.env, NODE_OPTIONS: `--require ${preload}`};
    const api = await backend('api');
    try {
      expect((await cli(['up', '--port', '0'], {env})).code).toBe(0);
      expect(statSync(path.join(t.home, 'ca-key.pem')).mode & 0o777).toBe(0o600);
      expect((await cli(['add', 'api.localhost', String(api.port)], {env})).code).toBe(0);
      expect(existsSync(marker)).toBe(false);
      // The first handshake for a name issues its leaf: that, and only that, needs forge.
      expect((await get(await daemonPort(env), 'api.localhost', '/', t.home)).status).toBe(200);
      expect(existsSync(marker)).toBe(true);
    } finally {
      await api.close();
    }
  });

  it('rotates a daemon.log grown past 5 MiB to daemon.log.1 when it starts', async () => {
    mkdirSync(t.home, {recursive: true, mode: 0o700});
    const big = 'x'.repeat(6 * 1024 * 1024);
    writeFileSync(path.join(t.home, 'daemon.log'), big);
    await cli(['up', '--port', '0'], {env: t.env});
    expect(statSync(path.join(t.home, 'daemon.log.1')).size).toBe(big.length);
    expect(statSync(path.join(t.home, 'daemon.log')).size).toBeLessThan(64 * 1024);
  });

  it('starts the daemon that `add` needs on the PORTICO_PORT it names, and says so in one line', async () => {
    const port = await freePort();
    const add = await cli(['add', 'api.localhost', '9090'], {env: {...t.env, PORTICO_PORT: String(port)}});
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout.split('\n').filter((l) => /Started the portico daemon/.test(l))).toHaveLength(1);
    expect(add.stdout).toContain(`https://api.localhost:${port}/`);
    expect(await daemonPort(t.env)).toBe(port);
  });

  it('refuses a PORTICO_PORT that is not a port, naming it', async () => {
    const add = await cli(['add', 'api.localhost', '9090'], {env: {...t.env, PORTICO_PORT: 'eighty'}});
    expect(add.code).not.toBe(0);
    expect(add.stderr).toMatch(/Invalid PORTICO_PORT `eighty`: expected a port number from 0 to 65535\./);
    expectNoStack(add);
    expect(existsSync(path.join(t.home, 'routes.json'))).toBe(false);
  });

  it('lets a request in flight finish when stopped with down, and keeps the routes', async () => {
    const release = gate();
    const slow = await backend('slow', release.promise);
    try {
      await cli(['up', '--port', '0'], {env: t.env});
      await cli(['add', 'slow.localhost', String(slow.port)], {env: t.env});
      const port = await daemonPort(t.env);
      const inFlight = get(port, 'slow.localhost', '/long', t.home);
      await waitFor(() => slow.hits() === 1, {what: 'the long request to reach the backend'});
      const stopping = cli(['down'], {env: t.env});
      // The backend answers only once the daemon has stopped accepting: the request is in flight throughout the stop.
      await waitFor(() => refuses(port), {what: 'the stopping daemon to refuse new connections'});
      release.open();
      const down = await stopping;
      expect(down.code).toBe(0);
      expect(await inFlight).toMatchObject({status: 200, body: 'slow GET /long'});
      expect(JSON.parse(readFileSync(path.join(t.home, 'routes.json'), 'utf8'))).toHaveLength(1);
      expect(existsSync(path.join(t.home, 'portico.sock'))).toBe(false);
    } finally {
      release.open();
      await slow.close();
    }
  });

  it('tells every one of six concurrent `add`s that the port is in use, and saves nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const {port} = blocker.address() as net.AddressInfo;
    try {
      const env = {...t.env, PORTICO_PORT: String(port)};
      const results = await Promise.all(Array.from({length: 6}, (_, i) => cli(['add', `svc${i}.localhost`, '9000'], {env})));
      for (const r of results) {
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^portico: Port ${port} is in use by another program\\.\n`));
        expectNoStack(r);
      }
      // Those that joined the starting daemon heard why it failed (the message above), not a start-up timeout.
      expect(existsSync(path.join(t.home, 'routes.json'))).toBe(false);
      expect(existsSync(path.join(t.home, 'portico.sock'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('stops a wedged daemon that no longer answers, and starts a fresh one after', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    const pid = pidOf(t.home);
    process.kill(pid, 'SIGSTOP');
    try {
      const down = await cli(['down'], {env: t.env});
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toMatch(/portico stopped/);
      expect(pidAlive(pid)).toBe(false);
      const up = await cli(['up', '--port', '0'], {env: t.env});
      expect(up.code, up.stderr).toBe(0);
      expect(pidOf(t.home)).not.toBe(pid);
    } finally {
      if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
