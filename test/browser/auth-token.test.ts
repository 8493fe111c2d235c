import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CHROMIUM, openChromium, type Page} from '../helpers/chromium.js';
import {cli, daemonPort, tempHome} from '../helpers/cli.js';
import {startBackend, type Backend} from '../helpers/harness.js';

let t: ReturnType<typeof tempHome>;
let scratch: string;
let page: Page | undefined;
let site: Backend;
let port: number;
let link: string;
/** `path cookie` of every request the backend got (favicon requests left out). */
const seen: string[] = [];

describe.skipIf(!existsSync(CHROMIUM))('a route gated with --auth token, in headless Chromium', () => {
  beforeAll(async () => {
    t = tempHome();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'portico-auth-'));
    site = await startBackend('site', (req, res) => {
      if (req.url !== '/favicon.ico') seen.push(`${req.url} ${req.headers.cookie ?? '-'}`);
      res.writeHead(200, {'content-type': 'text/html'}).end(`<!doctype html><title>preview ${req.url}</title><p>secret preview`);
    });
    await cli(['up', '--port', '0'], {env: t.env});
    port = await daemonPort(t.env);
    const home = path.join(scratch, 'user');
    const trust = await cli(['trust', '--stores', 'nss'], {env: {...t.env, HOME: home}});
    expect(trust.code, trust.stdout + trust.stderr).toBe(0);
    const add = await cli(['add', 'preview.localhost', String(site.port), '--auth', 'token'], {env: t.env});
    expect(add.code, add.stderr).toBe(0);
    link = /(https:\/\/preview\.localhost:\d+\/\?portico_token=[\w-]+)/.exec(add.stdout)![1]!;
    page = await openChromium(scratch, t.env, home);
  });
  afterAll(async () => {
    page?.close();
    await site?.close();
    await t?.cleanup();
    if (scratch) rmSync(scratch, {recursive: true, force: true});
  });

  it('shows the sign-in page without the token, and the backend is not asked', async () => {
    await page!.navigate(`https://preview.localhost:${port}/`);
    expect(await page!.evaluate('document.title')).toBe('401 Sign in · portico');
    expect(seen).toEqual([]);
  });

  it('passes the token link once, lands on the clean URL, then browses with the HttpOnly cookie', async () => {
    await page!.navigate(link);
    expect(await page!.evaluate('location.href')).toBe(`https://preview.localhost:${port}/`);
    expect(await page!.evaluate('document.title')).toBe('preview /');
    // HttpOnly: the page's scripts cannot read it.
    expect(await page!.evaluate('document.cookie')).toBe('');
    await page!.navigate(`https://preview.localhost:${port}/about`);
    expect(await page!.evaluate('document.title')).toBe('preview /about');
    // The backend never saw the token: not in a URL, not in a cookie.
    expect(seen).toEqual(['/ -', '/about -']);
  });
});
