import {execFile, execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {backend, cli, daemonPort, tempHome} from '../helpers/cli.js';
import {TIMEOUT, TEST_TIMEOUT} from '../helpers/wait.js';

import {CHROMIUM, HEADLESS} from '../helpers/chromium.js';
const DOMAIN = 'dev.example.test';

/** The browser resolves names through /etc/hosts: only a private mount namespace may put a test's hosts file there. */
function canUnshare(): boolean {
  return spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
}

let t: ReturnType<typeof tempHome>;
let app: Awaited<ReturnType<typeof backend>>;
let port: number;
let scratch: string;
let userHome: string;
let hostsFile: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'portico-domain-browser-'));
  userHome = path.join(scratch, 'user');
  hostsFile = path.join(scratch, 'hosts');
  // www.example.com is outside the suffix: only the test's own TLS server answers for it.
  writeFileSync(hostsFile, '127.0.0.1 localhost\n::1 localhost\n127.0.0.1 www.example.com\n');
  t = tempHome();
  t.env.PORTICO_HOSTS_FILE = hostsFile;
  app = await backend('hello-from-the-dev-domain');
  expect((await cli(['domain', 'add', DOMAIN], {env: t.env})).code).toBe(0);
  await cli(['up', '--port', '0'], {env: t.env});
  expect((await cli(['add', `app.${DOMAIN}`, String(app.port)], {env: t.env})).code).toBe(0);
  port = await daemonPort(t.env);
  const sync = await cli(['hosts', 'sync'], {env: t.env});
  expect(sync.stdout).toMatch(/Wrote 1 name\(s\)/);
}, TEST_TIMEOUT);

afterAll(async () => {
  await t.cleanup();
  await app.close();
  rmSync(scratch, {recursive: true, force: true});
});

/**
 * Load a page in a fresh headless Chromium, inside a private mount namespace whose /etc/hosts is the
 * test's hosts file; HOME (so the NSS database) is the test user's. Returns the DOM and Chromium's log.
 */
async function load(url: string): Promise<{dom: string; log: string}> {
  const profile = mkdtempSync(path.join(scratch, 'chromium-'));
  const script = `mount --bind "$HOSTS_FILE" /etc/hosts && exec "$CHROMIUM" "$@"`;
  const args = [...HEADLESS, `--user-data-dir=${profile}`, '--enable-logging=stderr', '--virtual-time-budget=3000', '--dump-dom', url];
  try {
    const {stdout, stderr} = await promisify(execFile)('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', ...args], {
      env: {...t.env, HOME: userHome, HOSTS_FILE: hostsFile, CHROMIUM},
      timeout: TIMEOUT.browser,
    });
    return {dom: stdout, log: stderr};
  } catch (error) {
    const e = error as {stdout?: string; stderr?: string};
    return {dom: String(e.stdout ?? ''), log: String(e.stderr ?? '')};
  } finally {
    rmSync(profile, {recursive: true, force: true});
  }
}

/**
 * Chromium's log names a certificate error (`ERR_CERT_AUTHORITY_INVALID`) or, since Chromium 150,
 * gives its net error code only (`net_error -202`): either is the same refusal.
 */
function certError(name: 'ERR_CERT_AUTHORITY_INVALID' | 'ERR_CERT_INVALID'): RegExp {
  const code = {ERR_CERT_AUTHORITY_INVALID: -202, ERR_CERT_INVALID: -207}[name];
  return new RegExp(`${name}\\b|net_error ${code}\\b`);
}

/** A leaf for `san` made with openssl and the domain CA's own key: what anyone who stole that key could make. */
function leafSignedByDomainKey(name: string, san: string): {cert: string; key: string} {
  const dir = path.join(t.home, 'domains', DOMAIN);
  const key = path.join(scratch, `${name}.key`);
  const csr = path.join(scratch, `${name}.csr`);
  const ext = path.join(scratch, `${name}.ext`);
  const cert = path.join(scratch, `${name}.pem`);
  writeFileSync(ext, `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  execFileSync(
    'openssl',
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${name}`, '-out', csr],
    {stdio: 'ignore'},
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      path.join(dir, 'ca.pem'),
      '-CAkey',
      path.join(dir, 'ca-key.pem'),
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      ext,
      '-out',
      cert,
    ],
    {stdio: 'ignore'},
  );
  return {cert, key};
}

async function serveLeaf(leaf: {cert: string; key: string}, body: string): Promise<{port: number; close: () => void}> {
  const server = https.createServer({cert: readFileSync(leaf.cert), key: readFileSync(leaf.key)}, (_req, res) => res.end(`<p>${body}</p>`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {port: (server.address() as {port: number}).port, close: () => server.close()};
}

describe.skipIf(!existsSync(CHROMIUM) || !canUnshare())(`a name under an added domain (${DOMAIN}) in a real browser`, () => {
  it(
    'is refused before `portico trust` and loads with no certificate error after it, resolved through the hosts block',
    async () => {
      expect(readFileSync(hostsFile, 'utf8')).toMatch(new RegExp(`127\\.0\\.0\\.1 app\\.${DOMAIN.replace(/\./g, '\\.')}`));
      const url = `https://app.${DOMAIN}:${port}/page`;
      const before = await load(url);
      expect(before.dom).not.toContain('hello-from-the-dev-domain');
      expect(before.log).toMatch(certError('ERR_CERT_AUTHORITY_INVALID'));

      const trust = await cli(['trust', '--stores', 'nss'], {env: {...t.env, HOME: userHome}});
      expect(trust.code, trust.stdout).toBe(0);
      expect(trust.stdout).toMatch(new RegExp(`nss .*\\[${DOMAIN.replace(/\./g, '\\.')}\\]: trusted`));

      const after = await load(url);
      expect(after.dom).toContain('hello-from-the-dev-domain GET /page');
    },
    TEST_TIMEOUT,
  );

  it(
    "refuses a certificate for a name outside the suffix even though the trusted domain CA's key signed it",
    async () => {
      // The same CA key signs both; only the name differs, so a refusal is the name constraints' doing.
      const inside = await serveLeaf(leafSignedByDomainKey(`ok.${DOMAIN}`, `DNS:app.${DOMAIN}`), 'inside-the-suffix');
      const outside = await serveLeaf(leafSignedByDomainKey('www.example.com', 'DNS:www.example.com'), 'outside-the-suffix');
      try {
        const control = await load(`https://app.${DOMAIN}:${inside.port}/`);
        expect(control.dom).toContain('inside-the-suffix');
        const refused = await load(`https://www.example.com:${outside.port}/`);
        expect(refused.dom).not.toContain('outside-the-suffix');
        expect(refused.log).toMatch(certError('ERR_CERT_INVALID'));
      } finally {
        inside.close();
        outside.close();
      }
      const verify = spawnSync('openssl', ['verify', '-CAfile', path.join(t.home, 'domains', DOMAIN, 'ca.pem'), path.join(scratch, 'www.example.com.pem')]);
      expect(`${verify.stdout}${verify.stderr}`).toMatch(/permitted subtree violation/);
      expect(verify.status).not.toBe(0);
    },
    TEST_TIMEOUT,
  );
});
