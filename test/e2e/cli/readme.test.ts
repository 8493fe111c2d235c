import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ROOT, backend, cli, get, spawnCli, tempHome} from '../../helpers/cli.js';
import type {ChildProcess} from 'node:child_process';
import {TIMEOUT, outputMatches, waitFor} from '../../helpers/wait.js';

/** Every `npx portico ...` line of README's code blocks (indented or fenced), comment stripped. */
function readmeCommands(markdown: string): string[][] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    else if (fenced || line.startsWith('    ')) lines.push(line.trim());
  }
  return lines
    .filter((l) => /^npx portico [a-z]/.test(l))
    .map((l) =>
      l
        .replace(/\s+#.*$/, '')
        .replace(/^npx /, '')
        .split(/\s+/)
        .slice(1),
    );
}

// `trust` writes the machine's system store when run as root (as CI does): its own suites test it in a
// private mount namespace. Everything else a README code block shows is run here, as a user would.
const NOT_HERE = new Set(['trust']);

const commands = readmeCommands(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
let t: ReturnType<typeof tempHome>;
let env: NodeJS.ProcessEnv;
let dir: string;
beforeAll(() => {
  t = tempHome();
  // The README says nothing about ports: PORTICO_PORT=0 keeps the test off the machine's 443/1443.
  env = {...t.env, PORTICO_PORT: '0'};
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-readme-'));
  writeFileSync(
    path.join(dir, 'server.js'),
    "require('node:http').createServer((q, s) => s.end('readme server ' + process.env.PORT)).listen(Number(process.env.PORT), process.env.HOST);",
  );
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: 'readme-demo'}));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dir, {recursive: true, force: true});
});

/** Waits for a line in a long-running command's output; a dev server may take a while on a busy machine. */
const until = (child: ChildProcess, what: RegExp, out: () => string) => outputMatches(child, what, out, {what: `${what}`, timeout: TIMEOUT.devServer});

function start(args: string[], childEnv: NodeJS.ProcessEnv) {
  const child = spawnCli(args, childEnv, dir);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  return {child, out: () => out, stop: () => new Promise<number | null>((r) => (child.once('exit', (code) => r(code)), child.kill('SIGINT')))};
}

describe("README's examples", () => {
  it('has examples to run', () => {
    expect(commands.map((c) => c[0])).toEqual(expect.arrayContaining(['add', 'dash', 'run', 'up']));
  });

  for (const args of commands) {
    const line = `portico ${args.join(' ')}`;
    it.skipIf(NOT_HERE.has(args[0]!))(`runs \`${line}\` as written`, async () => {
      if (args[0] === 'add') {
        const result = await cli(args, {env, cwd: dir});
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/^(Added|Updated) https:\/\//m);
      } else if (args[0] === 'dash') {
        // Piped, the dashboard prints one line per request.
        const app = await backend('dash');
        await cli(['add', 'dash.localhost', String(app.port)], {env});
        const port = (JSON.parse((await cli(['ls', '--json'], {env})).stdout) as {daemon: {port: number}}).daemon.port;
        const dash = start(args, env);
        // Requests until one shows up: the dashboard may subscribe after the first.
        await waitFor(async () => (await get(port, 'dash.localhost', '/seen', t.home), /dash\.localhost/.test(dash.out())), {
          what: 'the piped dashboard to print a request',
          detail: dash.out,
        });
        expect(dash.out()).toMatch(/200.*dash\.localhost\/seen/);
        await dash.stop();
        await app.close();
      } else if (args[0] === 'up' && args.includes('--foreground')) {
        // Its own home: a foreground proxy next to the background one would be refused.
        const other = tempHome();
        const fg = start(args, {...other.env, PORTICO_PORT: '0'});
        await until(fg.child, /https:\/\/localhost:\d+|listening|running/i, fg.out);
        expect(await fg.stop()).not.toBe(1);
        await other.cleanup();
      } else if (args[0] === 'run') {
        const run = start(args, env);
        await until(run.child, /➜ https:\/\/web\.localhost:(\d+)\//, run.out);
        const port = Number(/➜ https:\/\/web\.localhost:(\d+)\//.exec(run.out())![1]);
        expect((await get(port, 'web.localhost', '/', t.home)).body).toMatch(/^readme server \d+$/);
        expect(await run.stop()).toBe(130);
      } else {
        const result = await cli(args, {env, cwd: dir});
        expect(result.code, result.stderr).toBe(0);
      }
    });
  }
});
