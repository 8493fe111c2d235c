import type {ChildProcess} from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ROOT, backend, cli, daemonPort, get, spawnCli, tempHome} from '../../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
  t.env.HOME = `${t.home}-user`;
});
afterEach(async () => {
  await t.cleanup();
});

describe('portico doctor', () => {
  it('fails with a fix for each problem when nothing is set up', async () => {
    const r = await cli(['doctor', '--stores', 'nss'], {env: t.env});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ daemon: not running\n\s+Start it: `portico up`\./);
    expect(r.stdout).toMatch(/✗ ca: no CA in/);
  });

  it('passes once the daemon runs and the browser store trusts the CA', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['trust', '--stores', 'nss'], {env: t.env});
    const r = await cli(['doctor', '--stores', 'nss'], {env: t.env});
    expect(r.stdout).toMatch(/✓ daemon: running, pid \d+/);
    expect(r.stdout).toMatch(/✓ port: \d+ accepts connections/);
    expect(r.stdout).toMatch(/✓ ca: valid for 365\d more days/);
    expect(r.stdout).toMatch(/✓ clock: /);
    expect(r.stdout).toMatch(/✓ trust nss Chromium\/Chrome: trusts the portico CA, leaf verified/);
    expect(r.code, r.stdout).toBe(0);
  });
});

const CLOSABLE = path.join(ROOT, 'test', 'fixtures', 'run', 'closable.js');

/** Start `portico run` and wait for its URL line. */
async function startRun(args: string[]): Promise<{child: ChildProcess; port: () => number}> {
  const child = spawnCli(['run', ...args], t.env);
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/➜ https:\/\//.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`portico run exited ${code}:\n${out}`)));
  });
  return {child, port: () => Number(/listening on (\d+)/.exec(out)![1])};
}

describe('portico doctor and the routes’ targets', () => {
  it('says which targets listen and, for one that does not, the command that starts it', async () => {
    const app = await backend('alive');
    try {
      await cli(['up', '--port', '0'], {env: t.env});
      await cli(['add', 'app.localhost', String(app.port)], {env: t.env});
      const dead = await freePort();
      await cli(['add', 'api.localhost', String(dead)], {env: t.env});
      const r = await cli(['doctor', '--stores', 'nss'], {env: t.env});
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`^✓ target app\\.localhost -> http://localhost:${app.port}: listening$`, 'm'));
      expect(r.stdout).toMatch(
        new RegExp(
          `^✗ target api\\.localhost -> http://localhost:${dead}: nothing listens on 127\\.0\\.0\\.1 or \\[::1\\] port ${dead} \\(ECONNREFUSED\\)\\n\\s+Start the server on port ${dead}, or let portico run it: .*\`portico rm api\\.localhost http://localhost:${dead}\``,
          'm',
        ),
      );
    } finally {
      await app.close();
    }
  });

  it('names the `portico run` that owns a target that stopped listening, and how to start it again', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    const run = await startRun(['--name', 'web', '--', process.execPath, CLOSABLE]);
    try {
      const port = await daemonPort(t.env);
      const listening = await cli(['doctor', '--stores', 'nss'], {env: t.env});
      expect(listening.stdout).toMatch(
        new RegExp(`^✓ target web\\.localhost -> http://localhost:${run.port()}: listening \\(portico run, pid ${run.child.pid}\\)$`, 'm'),
      );
      expect((await get(port, 'web.localhost', '/close', t.home)).body).toBe('closing');
      const r = await cli(['doctor', '--stores', 'nss'], {env: t.env});
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`✗ target web.localhost -> http://localhost:${run.port()}: nothing listens`);
      expect(r.stdout).toContain(
        `It belongs to \`portico run\` (pid ${run.child.pid}), which may be restarting it; if not, stop that and start it again: \`cd ${ROOT} && portico run --name web -- ${process.execPath} ${CLOSABLE}\`.`,
      );
    } finally {
      const exited = new Promise((r) => run.child.once('exit', r));
      run.child.kill('SIGINT');
      await exited;
    }
  });

  it('prints a fix under every failing check, and --json carries the same checks and fixes', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['add', 'api.localhost', String(await freePort())], {env: t.env});
    await cli(['down'], {env: t.env});
    const text = await cli(['doctor', '--stores', 'nss'], {env: t.env});
    expect(text.code).toBe(1);
    const lines = text.stdout.split('\n');
    const failing = lines.flatMap((line, i) => (line.startsWith('✗') ? [[line, lines[i + 1] ?? '']] : []));
    expect(failing.length).toBeGreaterThanOrEqual(3);
    for (const [line, next] of failing) expect(next, `no fix under: ${line}`).toMatch(/^ {4}\S/);
    const json = await cli(['doctor', '--stores', 'nss', '--json'], {env: t.env});
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as {ok: boolean; checks: Array<{name: string; status: string; detail: string; fix?: string}>};
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.name)).toEqual(
      expect.arrayContaining(['daemon', expect.stringMatching(/^target api\.localhost -> /), 'trust nss Chromium/Chrome']),
    );
    for (const c of failed) expect(c.fix, c.name).toMatch(/\S/);
  });

  it('names a missing CA and what creates it', async () => {
    const r = await cli(['doctor', '--json'], {env: t.env});
    const report = JSON.parse(r.stdout) as {checks: Array<{name: string; status: string; fix?: string}>};
    expect(report.checks.find((c) => c.name === 'ca')).toMatchObject({status: 'fail', fix: 'Run `portico trust` (it creates one).'});
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
