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
let api: Backend;
let port: number;
/** `METHOD host` of every request the API backend got. */
const seen: string[] = [];

describe.skipIf(!existsSync(CHROMIUM))('CORS from a page on another .localhost origin, in headless Chromium', () => {
  beforeAll(async () => {
    t = tempHome();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'portico-cors-'));
    site = await startBackend('site', (_req, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<!doctype html><title>app</title>'));
    // The API knows nothing of CORS: whatever the browser allows, portico added.
    api = await startBackend('api', (req, res) => {
      seen.push(`${req.method} ${req.headers.host}`);
      res.writeHead(200, {'content-type': 'application/json', 'x-total': '1'}).end(req.method === 'OPTIONS' ? '' : '{"ok":true}');
    });
    await cli(['up', '--port', '0'], {env: t.env});
    port = await daemonPort(t.env);
    const home = path.join(scratch, 'user');
    const trust = await cli(['trust', '--stores', 'nss'], {env: {...t.env, HOME: home}});
    expect(trust.code, trust.stdout + trust.stderr).toBe(0);
    const origin = `https://app.localhost:${port}`;
    for (const args of [
      ['add', 'app.localhost', String(site.port)],
      ['add', 'open.localhost', String(api.port), `--cors=${origin}`],
      ['add', 'other.localhost', String(api.port), `--cors=https://elsewhere.localhost:${port}`],
      ['add', 'closed.localhost', String(api.port)],
      ['add', 'own.localhost', String(api.port), '--cors'],
      ['add', 'star.localhost', String(api.port), '--cors=*'],
    ]) {
      const r = await cli(args, {env: t.env});
      expect(r.code, r.stderr).toBe(0);
    }
    page = await openChromium(scratch, t.env, home);
    await page.navigate(`${origin}/`);
  });
  afterAll(async () => {
    page?.close();
    await site?.close();
    await api?.close();
    await t?.cleanup();
    if (scratch) rmSync(scratch, {recursive: true, force: true});
  });

  // A PUT with JSON and a custom header: the browser must ask (preflight) before it sends it.
  const call = (host: string, credentials = 'include') =>
    `fetch('https://${host}:${port}/items', {method: 'PUT', credentials: '${credentials}', headers: {'content-type': 'application/json', 'x-token': 'abc'}, body: '{}'})
      .then(async (r) => r.status + ' ' + (await r.text()) + ' ' + r.headers.get('x-total'))
      .catch((e) => 'blocked: ' + e.message)`;

  it('lets the page call an API whose route allows its origin with --cors', async () => {
    expect(await page!.evaluate(call('open.localhost'))).toBe('200 {"ok":true} 1');
    // portico answered the preflight itself; the API got only the PUT.
    expect(seen.filter((s) => s.includes('open.localhost'))).toEqual([`PUT open.localhost:${port}`]);
  });

  it('blocks the page when the API route allows only another origin, or has no --cors', async () => {
    expect(await page!.evaluate(call('other.localhost'))).toMatch(/^blocked: /);
    expect(await page!.evaluate(call('closed.localhost'))).toMatch(/^blocked: /);
  });

  it('with a bare --cors, lets a page of this portico (another .localhost name) call the API with its cookies', async () => {
    expect(await page!.evaluate(call('own.localhost'))).toBe('200 {"ok":true} 1');
  });

  it('with --cors=*, lets the page read the API without cookies, and blocks it with them', async () => {
    expect(await page!.evaluate(call('star.localhost', 'omit'))).toBe('200 {"ok":true} 1');
    expect(await page!.evaluate(call('star.localhost'))).toMatch(/^blocked: /);
  });
});
