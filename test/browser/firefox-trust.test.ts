import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, daemonPort, tempHome} from '../helpers/cli.js';

const FIREFOX = '/usr/bin/firefox-esr';
// Generous and the same everywhere: a cold Firefox on a busy 2-core box takes a while.
const BROWSER_MS = 120_000;

let t: ReturnType<typeof tempHome>;
let server: http.Server;
let appPort: number;
let port: number;
let userHome: string;
/** Verdicts the test page reports back, by the request that reached the backend. */
const verdicts: Array<{ok: boolean; detail: string}> = [];
const waiting: Array<() => void> = [];

/**
 * The dev server. /start (opened over plain http straight at the backend) fetches
 * https://app.localhost:PORT/probe through portico and reports the outcome to /verdict: a
 * certificate error rejects the fetch (Firefox offers no override for a subresource), so both
 * outcomes are observed, neither inferred from silence.
 */
function devServer(): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/start') {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><script>
fetch('https://app.localhost:${port}/probe', {cache: 'no-store'}).then((r) => r.text()).then(
  (body) => { location.href = '/verdict?ok=1&detail=' + encodeURIComponent(body); },
  (error) => { location.href = '/verdict?ok=0&detail=' + encodeURIComponent(String(error)); });
</script>`);
      return;
    }
    if (url.pathname === '/probe') {
      // Through portico, from the page's origin: allow the page to read the body.
      res.setHeader('access-control-allow-origin', '*');
      res.end(`served over https by portico to ${req.headers['x-forwarded-proto'] ?? '?'}`);
      return;
    }
    if (url.pathname === '/verdict') {
      verdicts.push({ok: url.searchParams.get('ok') === '1', detail: url.searchParams.get('detail') ?? ''});
      for (const w of waiting.splice(0)) w();
    }
    res.end('ok');
  });
}

beforeAll(async () => {
  t = tempHome();
  delete t.env.npm_command;
  userHome = mkdtempSync(path.join(os.tmpdir(), 'portico-firefox-home-'));
  server = devServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  appPort = (server.address() as {port: number}).port;
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', 'app.localhost', String(appPort)], {env: t.env});
  port = await daemonPort(t.env);
});
afterAll(async () => {
  await t.cleanup();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(userHome, {recursive: true, force: true});
});

/** Open /start in headless Firefox with `profile`; resolve with the page's verdict, then close Firefox. */
async function verdictIn(profile: string): Promise<{ok: boolean; detail: string}> {
  const before = verdicts.length;
  const firefox = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, `http://127.0.0.1:${appPort}/start`], {
    env: {...t.env, HOME: userHome, MOZ_HEADLESS: '1'},
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => firefox.once('exit', r));
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Firefox reported nothing within ${BROWSER_MS} ms`)), BROWSER_MS);
      const check = () => {
        if (verdicts.length > before) {
          clearTimeout(timer);
          resolve(verdicts[before]!);
        } else waiting.push(check);
      };
      void exited.then((code) => reject(new Error(`Firefox exited (${code}) before the page reported`)));
      check();
    });
  } finally {
    firefox.kill('SIGKILL');
    await exited;
  }
}

describe.skipIf(!existsSync(FIREFOX))('Firefox (Debian firefox-esr, headless)', () => {
  it(
    'loads portico with no certificate error after `portico trust` in a never-started profile made with -CreateProfile, and refuses it after `untrust`',
    async () => {
      // A profile created the way a user (or a tool) does, never started: no NSS database yet.
      const profile = path.join(userHome, 'profiles', 'dev');
      const made = spawnSync(FIREFOX, ['--headless', '-CreateProfile', `dev ${profile}`], {
        env: {...t.env, HOME: userHome},
        encoding: 'utf8',
        timeout: BROWSER_MS,
      });
      expect(made.status, made.stderr).toBe(0);
      expect(existsSync(path.join(profile, 'cert9.db'))).toBe(false);

      const trust = await cli(['trust', '--stores', 'nss'], {env: {...t.env, HOME: userHome}});
      expect(trust.code, trust.stdout).toBe(0);
      expect(trust.stdout).toMatch(/✓ nss Firefox profile dev: trusted/);
      const trusted = await verdictIn(profile);
      expect(trusted.ok, trusted.detail).toBe(true);
      expect(trusted.detail).toBe('served over https by portico to https');

      // The same check can fail: once untrusted, Firefox refuses the certificate.
      const untrust = await cli(['untrust', '--stores', 'nss'], {env: {...t.env, HOME: userHome}});
      expect(untrust.code, untrust.stdout).toBe(0);
      const refused = await verdictIn(profile);
      expect(refused.ok).toBe(false);
    },
    4 * BROWSER_MS,
  );
});
