import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ROOT, cli, daemonPort, expectNoStack, get, spawnCli, tempHome} from '../../helpers/cli.js';
import type {ChildProcess} from 'node:child_process';
import {wsOptions} from '../../helpers/ws.js';
import {TIMEOUT, waitFor} from '../../helpers/wait.js';
import {freePort} from '../../helpers/daemon.js';

let t: ReturnType<typeof tempHome>;
beforeEach(async () => {
  t = tempHome();
  await cli(['up', '--port', '0'], {env: t.env});
});
afterEach(async () => {
  await t.cleanup();
});

const SERVER = path.join(ROOT, 'test', 'fixtures', 'run', 'server.js');

/** Running, not merely a zombie waiting for init to reap it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
}

async function startRun(args: string[], cwd = ROOT) {
  const child = spawnCli(['run', ...args], t.env, cwd);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const ready = () => /➜ https:\/\//.test(out);
  await waitFor(() => ready() || child.exitCode !== null, {what: '`portico run` to print its URL', timeout: TIMEOUT.devServer, detail: () => out});
  if (!ready()) throw new Error(`portico run exited with ${child.exitCode} before it was ready:\n${out}`);
  return {child, output: () => out};
}

async function routes() {
  return JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout).routes as Array<{host: string; targets: Array<{target: string}>}>;
}

/** Instance pids and their grandchild (`--grandchild`) pids, from answers through the proxy. */
async function treeBehind(port: number, host: string, n: number): Promise<{servers: Set<number>; all: number[]}> {
  const servers = new Set<number>();
  const all = new Set<number>();
  for (let i = 0; i < n; i++) {
    const body = (await get(port, host, '/', t.home)).body;
    servers.add(Number(/pid (\d+)/.exec(body)![1]));
    for (const m of body.matchAll(/(?:pid|child) (\d+)/g)) all.add(Number(m[1]));
  }
  return {servers, all: [...all]};
}

const until = (what: string, check: () => boolean | Promise<boolean>, timeout: number = TIMEOUT.daemon) => waitFor(check, {what, timeout});

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

describe('portico run', () => {
  it('balances requests across two instances and Ctrl-C leaves no process and no route', async () => {
    const run = await startRun(['--name', 'web', '--instances', '2', '--', 'node', SERVER, '--grandchild']);
    const port = await daemonPort(t.env);
    await until('both instances joined', async () => (await routes())[0]?.targets.length === 2);
    const {servers, all} = await treeBehind(port, 'web.localhost', 6);
    expect(servers.size).toBe(2);
    expect(all).toHaveLength(4);
    const page = await get(port, 'web.localhost', '/', t.home);
    expect(page.body).toContain(`url https://web.localhost:${port}/`);
    run.child.kill('SIGINT');
    expect(await exitOf(run.child)).toBe(130);
    // A SIGKILLed process takes a moment to vanish.
    await until('the process trees to go', () => !all.some(alive));
    expect(await routes()).toEqual([]);
    expect(run.output()).toMatch(/web#1 │ listening on \d+/);
  });

  it('leaves no route and no instance behind when it is killed with SIGKILL', async () => {
    const run = await startRun(['--name', 'killed', '--instances', '2', '--', 'node', SERVER, '--grandchild']);
    const port = await daemonPort(t.env);
    await until('both instances joined', async () => (await routes())[0]?.targets.length === 2);
    const {all} = await treeBehind(port, 'killed.localhost', 6);
    expect(all).toHaveLength(4);
    run.child.kill('SIGKILL');
    // The daemon notices its owner is gone and drops the route; the instances die with their group.
    await until('the route and every instance to go', async () => (await routes()).length === 0 && !all.some(alive));
  });

  it('reports a crashed instance with its status and last output', async () => {
    const crash = path.join(t.home, '..', 'crash.js');
    writeFileSync(crash, "console.log('about to fail'); setTimeout(() => process.exit(3), 100);");
    const child = spawnCli(['run', '--name', 'crashy', '--', 'node', crash], t.env);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(out).toMatch(/crashy#1 exited with status 3\.\nlast output:\n\s+about to fail/);
    expect(code).toBe(3);
  });

  it('keeps serving from the other instance when one crashes, and says which one and why', async () => {
    const run = await startRun(['--name', 'pair', '--instances', '2', '--', 'node', SERVER]);
    const port = await daemonPort(t.env);
    await until('both instances joined', async () => (await routes())[0]?.targets.length === 2);
    const crashed = Number(/pid (\d+) exiting/.exec((await get(port, 'pair.localhost', '/exit?code=3', t.home)).body)![1]);
    await until('the crash report', () => /pair#\d exited with status 3\./.test(run.output()));
    expect(run.output()).toMatch(/pair#\d exited with status 3\.\nlast output:\n(?:.*\n)*\s+exiting with 3/);
    await until('the crashed target to leave', async () => (await routes())[0]?.targets.length === 1);
    const answers = await Promise.all(Array.from({length: 6}, () => get(port, 'pair.localhost', '/', t.home)));
    for (const answer of answers) expect(answer.status).toBe(200);
    const pids = new Set(answers.map((a) => /pid (\d+)/.exec(a.body)![1]));
    expect(pids.size).toBe(1);
    expect(pids.has(String(crashed))).toBe(false);
    run.child.kill('SIGTERM');
    expect(await exitOf(run.child)).toBe(143);
    expect(await routes()).toEqual([]);
  });

  it('restarts a crashed instance with --restart and serves again', async () => {
    const marker = path.join(t.home, '..', 'crashed-once');
    const child = spawnCli(['run', '--name', 'phoenix', '--restart', '--', 'node', SERVER, '--crash-once', marker], t.env);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.stderr!.on('data', (d: Buffer) => (out += d));
    try {
      await until('the restart and the URL', () => /➜ https:\/\//.test(out), TIMEOUT.devServer);
      expect(out).toMatch(/phoenix#1 exited with status 1\.\nlast output:\n\s+boom: first start fails/);
      expect(out).toContain('restarting phoenix#1 in 1 s');
      const port = await daemonPort(t.env);
      const answer = await get(port, 'phoenix.localhost', '/', t.home);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(/^pid \d+/);
    } finally {
      child.kill('SIGINT');
      await exitOf(child);
    }
  });

  it('says when the command cannot be started, and exits 127', async () => {
    const result = await cli(['run', '--name', 'nope', '--', 'portico-no-such-command'], {env: t.env});
    expect(result.code).toBe(127);
    expect(result.stdout + result.stderr).toMatch(/nope#1 │ portico run: cannot start portico-no-such-command: .*ENOENT/);
    expect(result.stdout).toContain('nope#1 exited with status 127.');
    expect(await routes()).toEqual([]);
  });

  it("runs two instances of one real Vite 8 project with `npm run dev`, each past Vite's own lock", async () => {
    const app = mkdtempSync(path.join(os.tmpdir(), 'portico-vite-pair-'));
    cpSync(path.join(ROOT, 'test', 'fixtures', 'vite-app'), app, {recursive: true});
    // `npm run dev` finds vite in node_modules/.bin, as in a real project.
    mkdirSync(path.join(app, 'node_modules', '.bin'), {recursive: true});
    symlinkSync(path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), path.join(app, 'node_modules', '.bin', 'vite'));
    const run = await startRun(['--name', 'vitepair', '--instances', '2', '--', 'npm', 'run', 'dev'], app);
    try {
      await until('both Vite instances to join', async () => (await routes())[0]?.targets.length === 2, TIMEOUT.devServer);
      expect(run.output()).toContain('--bypass-lock');
      expect(run.output()).not.toMatch(/Found another Vite|exited with status/);
      const port = await daemonPort(t.env);
      const page = await get(port, 'vitepair.localhost', '/', t.home);
      expect(page.status).toBe(200);
      expect(page.body).toContain('/@vite/client');
    } finally {
      run.child.kill('SIGINT');
      await exitOf(run.child);
      rmSync(app, {recursive: true, force: true, maxRetries: 10});
    }
  });

  it('refuses several instances of a Next.js 16 project before starting any, with the distDir line that allows them, exit 2', async () => {
    const app = mkdtempSync(path.join(os.tmpdir(), 'portico-next-pair-'));
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({name: 'nextpair', scripts: {dev: 'next dev'}}));
    // The installed package as npm lays it out: the version is what portico reads.
    mkdirSync(path.join(app, 'node_modules', 'next', 'dist', 'bin'), {recursive: true});
    writeFileSync(path.join(app, 'node_modules', 'next', 'package.json'), JSON.stringify({name: 'next', version: '16.2.0'}));
    writeFileSync(path.join(app, 'node_modules', 'next', 'dist', 'bin', 'next'), '#!/usr/bin/env node\nprocess.exit(9)\n', {mode: 0o755});
    mkdirSync(path.join(app, 'node_modules', '.bin'), {recursive: true});
    symlinkSync(path.join(app, 'node_modules', 'next', 'dist', 'bin', 'next'), path.join(app, 'node_modules', '.bin', 'next'));
    try {
      const result = await cli(['run', '--instances', '2'], {env: t.env, cwd: app});
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(
        /Next\.js 16\.2\.0 runs one `next dev` per project directory \(it locks \.next\/dev\), so `--instances 2` cannot start a second one here\./,
      );
      expect(result.stderr).toContain('PORTICO_INSTANCE');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).not.toMatch(/nextpair#1/);
    } finally {
      rmSync(app, {recursive: true, force: true, maxRetries: 10});
    }
  });

  it("runs the package's dev script when no command is given", async () => {
    const app = mkdtempSync(path.join(os.tmpdir(), 'portico-bare-run-'));
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({name: 'bare', scripts: {dev: `node ${JSON.stringify(SERVER)}`}}));
    const run = await startRun([], app);
    try {
      expect(run.output()).toContain("portico: running `npm run dev` (package.json's dev script)");
      const port = await daemonPort(t.env);
      expect((await get(port, 'bare.localhost', '/', t.home)).body).toMatch(/^pid \d+/);
    } finally {
      run.child.kill('SIGINT');
      await exitOf(run.child);
      rmSync(app, {recursive: true, force: true, maxRetries: 10});
    }
  });

  it('says how to give a command when there is none and no dev script, exit 2', async () => {
    const app = mkdtempSync(path.join(os.tmpdir(), 'portico-bare-run-'));
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({name: 'nodev'}));
    const result = await cli(['run'], {env: t.env, cwd: app});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Give the command to run after `--`, e\.g\. `portico run -- npm run dev`: .*package\.json` has no `dev` script/);
    rmSync(path.join(app, 'package.json'));
    const none = await cli(['run'], {env: t.env, cwd: app});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`there is no package.json in \`${app}\` to take a \`dev\` script from.`);
    rmSync(app, {recursive: true, force: true});
  });

  it('refuses a --name it would have to rewrite, naming it, and takes a full .localhost name as given', async () => {
    for (const [name, message] of [
      ['bad name', 'Invalid --name `bad name`: expected letters, digits and hyphens'],
      ['x_y', 'Invalid --name `x_y`'],
      ['app.example.com', 'Invalid --name `app.example.com`: a full name must be under .localhost or an added domain.'],
    ]) {
      const result = await cli(['run', '--name', name!, '--', process.execPath, '-e', '0'], {env: t.env});
      expect(result.code, name).toBe(2);
      expect(result.stderr).toContain(message);
      expectNoStack(result);
    }
    const full = await startRun([
      '--name',
      'web2.localhost',
      '--',
      process.execPath,
      '-e',
      "require('http').createServer((q, s) => s.end('web2')).listen(process.env.PORT)",
    ]);
    try {
      expect(full.output()).toMatch(/https:\/\/web2\.localhost:\d+\//);
      expect((await get(await daemonPort(t.env), 'web2.localhost', '/', t.home)).body).toBe('web2');
    } finally {
      full.child.kill('SIGINT');
      await exitOf(full.child);
    }
  });

  it('moves an instance to another port when the one picked was taken before it listened', async () => {
    const mark = path.join(t.home, '..', 'raced');
    const script = path.join(t.home, '..', 'raced.js');
    // The first start: another program takes the port first (a real listener, in a process of its own),
    // so the dev server's listen fails with a real EADDRINUSE. The second start serves.
    writeFileSync(
      script,
      `const fs = require('fs'), http = require('http'), {spawn} = require('child_process');
const port = Number(process.env.PORT), mark = ${JSON.stringify(mark)};
if (fs.existsSync(mark)) http.createServer((q, s) => s.end('moved')).listen(port, '127.0.0.1');
else {
  const holder = spawn(process.execPath, ['-e', "require('net').createServer().listen(" + port + ", '127.0.0.1', () => process.send('held'))"], {stdio: ['ignore', 'ignore', 'ignore', 'ipc'], detached: true});
  holder.on('message', () => {
    fs.writeFileSync(mark, String(holder.pid));
    holder.disconnect();
    holder.unref();
    http.createServer().listen(port, '127.0.0.1');
  });
}
`,
    );
    const run = await startRun(['--name', 'raced', '--', process.execPath, script]);
    try {
      // The held port answers connections, so portico may have taken it for the dev server's at first:
      // wait for the move, then for the instance to serve on its new port.
      const move = await waitFor(() => /port (\d+) was taken before raced#1 could listen on it; starting it on port (\d+)/.exec(run.output()), {
        what: 'the move to another port',
        detail: run.output,
      });
      const taken = Number(move[1]);
      const port = await daemonPort(t.env);
      await waitFor(async () => (await get(port, 'raced.localhost', '/', t.home)).body === 'moved', {
        what: 'the instance serving on its new port',
        detail: run.output,
      });
      expect(run.output()).toContain('EADDRINUSE');
      expect((await routes()).find((r) => r.host === 'raced.localhost')?.targets.map((x) => x.target)).not.toContain(`http://localhost:${taken}`);
    } finally {
      run.child.kill('SIGINT');
      await exitOf(run.child);
      process.kill(Number(readFileSync(mark, 'utf8')), 'SIGKILL');
    }
  });

  it('prints the new URL when the proxy moves to another port while it runs', async () => {
    const run = await startRun([
      '--name',
      'moving',
      '--',
      process.execPath,
      '-e',
      "require('http').createServer((q, s) => s.end('still')).listen(process.env.PORT)",
    ]);
    try {
      const next = await freePort();
      expect((await cli(['up', '--port', String(next)], {env: t.env})).code).toBe(0);
      await waitFor(() => run.output().includes(`➜ https://moving.localhost:${next}/  (the proxy moved to port ${next})`), {
        what: 'the new URL',
        detail: run.output,
      });
      expect((await get(next, 'moving.localhost', '/', t.home)).body).toBe('still');
    } finally {
      run.child.kill('SIGINT');
      await exitOf(run.child);
    }
  });

  it("prints a crashing instance's stack once", async () => {
    const crash = path.join(t.home, '..', 'throws.js');
    writeFileSync(crash, "function startDevServer() { throw new Error('kaput'); }\nstartDevServer();\n");
    const child = spawnCli(['run', '--name', 'stacky', '--', 'node', crash], t.env);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.stderr!.on('data', (d: Buffer) => (out += d));
    expect(await exitOf(child)).toBe(1);
    expect(out).toMatch(/stacky#1 exited with status 1\.\nlast output:\n(?:.*\n)*\s+Error: kaput/);
    expect(out.match(/at startDevServer/g)).toHaveLength(1);
  });

  it('serves a real Vite app whose hot updates reach the browser socket through the proxy', async () => {
    const app = mkdtempSync(path.join(os.tmpdir(), 'portico-vite-'));
    cpSync(path.join(ROOT, 'test', 'fixtures', 'vite-app'), app, {recursive: true});
    const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    const run = await startRun(['--name', 'viteapp', '--', 'node', vite], app);
    try {
      const port = await daemonPort(t.env);
      const html = await get(port, 'viteapp.localhost', '/', t.home);
      expect(html.status).toBe(200);
      expect(html.body).toContain('/@vite/client');
      const client = await get(port, 'viteapp.localhost', '/@vite/client', t.home);
      const token = /const wsToken = "([^"]*)"/.exec(client.body)?.[1] ?? '';
      expect((await get(port, 'viteapp.localhost', '/main.js', t.home)).body).toContain('version 1');

      const ws = new WebSocket(
        `wss://127.0.0.1:${port}/?token=${token}`,
        'vite-hmr',
        wsOptions(`viteapp.localhost:${port}`, readFileSync(path.join(t.home, 'ca.pem'))),
      );
      const messages: Array<{type: string}> = [];
      ws.on('message', (m) => messages.push(JSON.parse(String(m))));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const until = (type: string[]) =>
        waitFor(() => messages.some((m) => type.includes(m.type)), {
          what: `a ${type.join(' or ')} message`,
          timeout: TIMEOUT.devServer,
          detail: () => JSON.stringify(messages),
        });
      await until(['connected']);
      writeFileSync(path.join(app, 'main.js'), "document.getElementById('greeting').textContent = 'version 2';\n");
      await until(['update', 'full-reload']);
      expect((await get(port, 'viteapp.localhost', '/main.js', t.home)).body).toContain('version 2');
      ws.close();
    } finally {
      run.child.kill('SIGINT');
      await exitOf(run.child);
      rmSync(app, {recursive: true, force: true, maxRetries: 10});
    }
  });
});
