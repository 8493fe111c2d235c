import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ROOT, cli, daemonPort, get, spawnCli, tempHome} from '../../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
beforeEach(async () => {
  t = tempHome();
  await cli(['up', '--port', '0'], {env: t.env});
});
afterEach(async () => {
  await t.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SERVER = path.join(ROOT, 'test', 'fixtures', 'run', 'server.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startRun(args: string[], cwd = ROOT) {
  const child = spawnCli(['run', ...args], t.env, cwd);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!/➜ https:\/\//.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`portico run did not get ready:\n${out}`);
    await sleep(50);
  }
  return {child, output: () => out};
}

async function routes() {
  return JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout).routes as Array<{host: string; targets: Array<{target: string}>}>;
}

async function pidsBehind(port: number, host: string, n: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < n; i++) pids.add(Number(/pid (\d+)/.exec((await get(port, host, '/', t.home)).body)![1]));
  return pids;
}

describe('portico run', () => {
  it('balances requests across two instances and Ctrl-C leaves no process and no route', async () => {
    const run = await startRun(['--name', 'web', '--instances', '2', '--', 'node', SERVER]);
    const port = await daemonPort(t.env);
    await sleep(500);
    const pids = await pidsBehind(port, 'web.localhost', 6);
    expect(pids.size).toBe(2);
    const page = await get(port, 'web.localhost', '/', t.home);
    expect(page.body).toContain(`url https://web.localhost:${port}/`);
    run.child.kill('SIGINT');
    await new Promise((r) => run.child.once('exit', r));
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(await routes()).toEqual([]);
    expect(run.output()).toMatch(/web#1 │ listening on \d+/);
  });

  it('leaves no route and no instance behind when it is killed with SIGKILL', async () => {
    const run = await startRun(['--name', 'killed', '--instances', '2', '--', 'node', SERVER]);
    const port = await daemonPort(t.env);
    await sleep(500);
    const pids = await pidsBehind(port, 'killed.localhost', 6);
    run.child.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (((await routes()).length > 0 || [...pids].some(alive)) && Date.now() < deadline) await sleep(100);
    expect(await routes()).toEqual([]);
    for (const pid of pids) expect(alive(pid)).toBe(false);
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

      const ws = new WebSocket(`wss://127.0.0.1:${port}/?token=${token}`, 'vite-hmr', {ca: readFileSync(path.join(t.home, 'ca.pem')), servername: 'viteapp.localhost', headers: {host: `viteapp.localhost:${port}`}});
      const messages: Array<{type: string}> = [];
      ws.on('message', (m) => messages.push(JSON.parse(String(m))));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const until = async (type: string[]) => {
        const deadline = Date.now() + 15_000;
        while (!messages.some((m) => type.includes(m.type))) {
          if (Date.now() > deadline) throw new Error(`no ${type} message; got ${JSON.stringify(messages)}`);
          await sleep(50);
        }
      };
      await until(['connected']);
      writeFileSync(path.join(app, 'main.js'), "document.getElementById('greeting').textContent = 'version 2';\n");
      await until(['update', 'full-reload']);
      expect((await get(port, 'viteapp.localhost', '/main.js', t.home)).body).toContain('version 2');
      ws.close();
    } finally {
      run.child.kill('SIGINT');
      await new Promise((r) => run.child.once('exit', r));
      rmSync(app, {recursive: true, force: true});
    }
  }, 60_000);
});
