import {spawn, type ChildProcess} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ROOT, cli, daemonPort, spawnCli, tempHome} from '../../helpers/cli.js';
import {TIMEOUT, exited, waitFor} from '../../helpers/wait.js';

import {CHROMIUM, HEADLESS} from '../../helpers/chromium.js';

let t: ReturnType<typeof tempHome>;
let scratch: string;
const started: ChildProcess[] = [];
beforeEach(async () => {
  t = tempHome();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'portico-vite-browser-'));
  await cli(['up', '--port', '0'], {env: t.env});
});
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGINT');
    // Cleanup only: a child that ignores Ctrl-C is killed after the daemon-step bound.
    await exited(child, {what: 'a child to stop on SIGINT'}).catch(() => child.kill('SIGKILL'));
  }
  await t.cleanup();
  rmSync(scratch, {recursive: true, force: true});
});

const until = <T>(what: string, check: () => T | Promise<T>) => waitFor(check, {what, timeout: TIMEOUT.browser, interval: 100});

/** A page in headless Chromium, driven over the DevTools protocol: navigate, evaluate, console. */
async function openBrowser(
  home: string,
): Promise<{navigate: (url: string) => Promise<void>; evaluate: (js: string) => Promise<unknown>; console: string[]; close: () => void}> {
  const profile = path.join(scratch, 'profile');
  const chromium = spawn(CHROMIUM, [...HEADLESS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
    env: {...t.env, HOME: home},
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started.push(chromium);
  let err = '';
  chromium.stderr!.on('data', (d: Buffer) => (err += d));
  const devtools = await until('Chromium DevTools', () => /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err)?.[1]);
  const pages = (await (await fetch(`http://127.0.0.1:${devtools}/json/list`)).json()) as Array<{type: string; webSocketDebuggerUrl: string}>;
  const ws = new WebSocket(pages.find((p) => p.type === 'page')!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const pending = new Map<number, (result: {result?: {value?: unknown}}) => void>();
  const consoleLines: string[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as {
      id?: number;
      method?: string;
      result?: {result?: {value?: unknown}};
      params?: {args?: Array<{value?: unknown}>};
    };
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? {});
    if (message.method === 'Runtime.consoleAPICalled') consoleLines.push((message.params?.args ?? []).map((a) => String(a.value)).join(' '));
  });
  const send = (method: string, params: object = {}) =>
    new Promise<{result?: {value?: unknown}}>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({id, method, params}));
    });
  await send('Runtime.enable');
  await send('Page.enable');
  return {
    navigate: async (url) => void (await send('Page.navigate', {url})),
    evaluate: async (expression) => (await send('Runtime.evaluate', {expression, returnByValue: true})).result?.value,
    console: consoleLines,
    close: () => {
      ws.close();
      chromium.kill('SIGKILL');
    },
  };
}

describe.skipIf(!existsSync(CHROMIUM))('portico run with Vite in a real browser', () => {
  it('hot-swaps an edited stylesheet in the open page through the proxy, with two Vite instances behind the name', async () => {
    const app = path.join(scratch, 'app');
    cpSync(path.join(ROOT, 'test', 'fixtures', 'vite-app'), app, {recursive: true});
    // `npm run dev` finds vite in node_modules/.bin, as in a real project (its cache stays in the app).
    mkdirSync(path.join(app, 'node_modules', '.bin'), {recursive: true});
    symlinkSync(path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), path.join(app, 'node_modules', '.bin', 'vite'));
    const browserHome = path.join(scratch, 'user');
    const trust = await cli(['trust', '--stores', 'nss'], {env: {...t.env, HOME: browserHome}});
    expect(trust.code, trust.stdout + trust.stderr).toBe(0);

    const run = spawnCli(['run', '--name', 'hmr', '--instances', '2', '--', 'npm', 'run', 'dev'], t.env, app);
    started.push(run);
    let out = '';
    run.stdout!.on('data', (d: Buffer) => (out += d));
    run.stderr!.on('data', (d: Buffer) => (out += d));
    const port = await daemonPort(t.env);
    await until('both Vite instances to join', async () => {
      const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {routes: Array<{strategy: string; targets: unknown[]}>};
      return ls.routes[0]?.targets.length === 2 ? ls.routes[0] : undefined;
    }).then((route) => expect(route.strategy).toBe('sticky'));
    expect(out).toContain('vite ignores PORT; adding --port');
    // A target joins once its port answers; Vite prints its banner just after: wait for both.
    const plain = () => out.replace(/\u001b\[[\d;]*m/g, '');
    await until('both Vite banners', () => /hmr#1 │ .*VITE v\d/.test(plain()) && /hmr#2 │ .*VITE v\d/.test(plain()));

    const page = await openBrowser(browserHome);
    try {
      await page.navigate(`https://hmr.localhost:${port}/`);
      const style = `document.getElementById('greeting').textContent + ' ' + getComputedStyle(document.getElementById('greeting')).color`;
      await until('the page to render', async () => ((await page.evaluate(style)) === 'version 1 rgb(1, 2, 3)' ? true : undefined));
      await until('the HMR socket to connect', () => page.console.some((l) => l.includes('[vite] connected')));
      await page.evaluate(`window.__sameDocument = true`);

      writeFileSync(path.join(app, 'style.css'), '#greeting { color: rgb(4, 5, 6); }\n');
      await until('the new colour', async () => ((await page.evaluate(style)) === 'version 1 rgb(4, 5, 6)' ? true : undefined));
      // A hot update, not a reload: the page kept its state.
      expect(await page.evaluate('window.__sameDocument')).toBe(true);
      expect(page.console.some((l) => l.includes('[vite] hot updated: /style.css'))).toBe(true);
    } finally {
      page.close();
    }
  });
});
