import {execFile} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, daemonServing, type tempHome} from '../helpers/cli.js';
import {TIMEOUT} from '../helpers/wait.js';

import {CHROMIUM, HEADLESS} from '../helpers/chromium.js';
let t: ReturnType<typeof tempHome>;
let port: number;
let userHome: string;

let served: Awaited<ReturnType<typeof daemonServing>>;
beforeAll(async () => {
  served = await daemonServing('app.localhost', 'hello-from-the-dev-server');
  ({t, port} = served);
  userHome = mkdtempSync(path.join(os.tmpdir(), 'portico-browser-home-'));
});
afterAll(async () => {
  await served.close();
  rmSync(userHome, {recursive: true, force: true});
});

/** Load a page in a fresh headless Chromium whose HOME (and so NSS database) is the test user's. */
async function load(url: string): Promise<string> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'portico-chromium-'));
  try {
    const {stdout} = await promisify(execFile)(CHROMIUM, [...HEADLESS, `--user-data-dir=${profile}`, '--virtual-time-budget=3000', '--dump-dom', url], {
      env: {...t.env, HOME: userHome},
      timeout: TIMEOUT.browser,
    });
    return stdout;
  } catch (error) {
    return String((error as {stdout?: string}).stdout ?? '');
  } finally {
    rmSync(profile, {recursive: true, force: true});
  }
}

describe.skipIf(!existsSync(CHROMIUM))('a real browser', () => {
  it('refuses the page before trust and loads it with no certificate error after `portico trust`', async () => {
    const url = `https://app.localhost:${port}/page`;
    const before = await load(url);
    expect(before).not.toContain('hello-from-the-dev-server');

    const trust = await cli(['trust', '--stores', 'nss'], {env: {...t.env, HOME: userHome}});
    expect(trust.code, trust.stdout).toBe(0);

    const after = await load(url);
    expect(after).toContain('hello-from-the-dev-server GET /page');
  });
});
