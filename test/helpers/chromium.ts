import {spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import WebSocket from 'ws';
import {TIMEOUT} from './wait.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium that stays off the network: this machine's closed network refuses its background connections. */
export const HEADLESS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Page {
  navigate(url: string): Promise<void>;
  /** Evaluate in the page; a promise is awaited, the value returned by value. */
  evaluate(expression: string): Promise<unknown>;
  close(): void;
}

async function poll<T>(what: string, check: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Headless Chromium with its own profile and HOME (whose NSS db holds the trusted test CA), driven
 * over the DevTools protocol.
 */
export async function openChromium(scratch: string, env: NodeJS.ProcessEnv, home: string): Promise<Page & {process: ChildProcess}> {
  const chromium = spawn(CHROMIUM, [...HEADLESS, `--user-data-dir=${path.join(scratch, 'profile')}`, '--remote-debugging-port=0', 'about:blank'], {
    env: {...env, HOME: home},
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  chromium.stderr!.on('data', (d: Buffer) => (err += d));
  const devtools = await poll('Chromium DevTools', () => /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err)?.[1], TIMEOUT.browser);
  const pages = (await (await fetch(`http://127.0.0.1:${devtools}/json/list`)).json()) as Array<{type: string; webSocketDebuggerUrl: string}>;
  const ws = new WebSocket(pages.find((p) => p.type === 'page')!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const pending = new Map<number, (message: {result?: {result?: {value?: unknown}}}) => void>();
  const loaded: Array<() => void> = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as {id?: number; method?: string; result?: {result?: {value?: unknown}}};
    if (message.id !== undefined) pending.get(message.id)?.(message);
    if (message.method === 'Page.loadEventFired') for (const fn of loaded.splice(0)) fn();
  });
  const send = (method: string, params: object = {}) =>
    new Promise<{result?: {result?: {value?: unknown}}}>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({id, method, params}));
    });
  await send('Runtime.enable');
  await send('Page.enable');
  return {
    process: chromium,
    async navigate(url) {
      const load = new Promise<void>((resolve) => loaded.push(resolve));
      await send('Page.navigate', {url});
      await load;
    },
    evaluate: async (expression) => (await send('Runtime.evaluate', {expression, returnByValue: true, awaitPromise: true})).result?.result?.value,
    close() {
      ws.close();
      chromium.kill('SIGKILL');
    },
  };
}
