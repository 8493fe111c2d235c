import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {backend, cli, daemonPort, expectNoStack, tempHome} from '../../helpers/cli.js';
import {TEST_TIMEOUT} from '../../helpers/wait.js';

const DOMAIN = 'dev.example.test';
let t: ReturnType<typeof tempHome>;
let app: Awaited<ReturnType<typeof backend>>;
let userHome: string;
let project: string;

beforeAll(async () => {
  t = tempHome();
  userHome = mkdtempSync(path.join(os.tmpdir(), 'portico-domain-user-'));
  project = mkdtempSync(path.join(os.tmpdir(), 'portico-domain-project-'));
  // HOME is the test user's: `trust --stores nss` and `domain rm` touch only its NSS database.
  t.env.HOME = userHome;
  t.env.PORTICO_HOSTS_FILE = path.join(userHome, 'hosts');
  writeFileSync(t.env.PORTICO_HOSTS_FILE, '127.0.0.1 localhost\n');
  app = await backend('dev-domain-app');
}, TEST_TIMEOUT);

afterAll(async () => {
  await t.cleanup();
  await app.close();
  rmSync(userHome, {recursive: true, force: true});
  rmSync(project, {recursive: true, force: true});
});

/** GET through portico by a name under the domain, verified against that domain's CA only. */
function getVia(port: number, host: string, ca: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = https.request({host: '127.0.0.1', port, path: '/hello', servername: host, headers: {host}, ca, agent: false}, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('portico domain', () => {
  it('refuses a public suffix, a single label and localhost with one sentence, exit 2, and nothing written', async () => {
    for (const [suffix, why] of [
      ['co.uk', /^portico: Invalid domain `co\.uk`: it is a public suffix: a CA for it could sign certificates for other people's sites\.\n/],
      ['lan', /^portico: Invalid domain `lan`: a single label other than `test`, `example`, `internal` may become a public top-level domain\.\n/],
      ['localhost', /^portico: Invalid domain `localhost`: names under `\.localhost` are already served by the localhost CA; nothing to add\.\n/],
    ] as const) {
      const result = await cli(['domain', 'add', suffix], {env: t.env});
      expect(result.code, suffix).toBe(2);
      expect(result.stderr).toMatch(why);
      expectNoStack(result);
    }
    expect(existsSync(path.join(t.home, 'domains'))).toBe(false);
  });

  it(
    'serves names under an added domain from add and portico.json with its own CA, and export maps them',
    async () => {
      const added = await cli(['domain', 'add', DOMAIN, '--json'], {env: t.env});
      expect(added.code, added.stderr).toBe(0);
      const info = JSON.parse(added.stdout) as {domain: string; ca: string; created: boolean};
      expect(info).toMatchObject({domain: DOMAIN, created: true, ca: path.join(t.home, 'domains', DOMAIN, 'ca.pem')});
      const ca = readFileSync(info.ca, 'utf8');

      await cli(['up', '--port', '0'], {env: t.env});
      const add = await cli(['add', `api.${DOMAIN}`, String(app.port)], {env: t.env});
      expect(add.code, add.stderr).toBe(0);
      expect(add.stderr).toMatch(/api\.dev\.example\.test does not resolve to this machine: run `sudo portico hosts sync`/);
      expect(add.stderr).toMatch(/The portico CA is not trusted yet/);
      const port = await daemonPort(t.env);
      expect(await getVia(port, `api.${DOMAIN}`, ca)).toEqual({status: 200, body: 'dev-domain-app GET /hello'});

      writeFileSync(path.join(project, 'portico.json'), JSON.stringify({routes: {[`web.${DOMAIN}`]: app.port}}));
      const up = await cli(['up'], {env: t.env, cwd: project});
      expect(up.code, up.stderr).toBe(0);
      expect(await getVia(port, `web.${DOMAIN}`, ca)).toEqual({status: 200, body: 'dev-domain-app GET /hello'});

      const refused = await cli(['add', 'api.example.com', '9090'], {env: t.env});
      expect(refused.stderr).toMatch(
        /Invalid name `api\.example\.com`: portico serves only `localhost`, names under `\.localhost` and names under `\.dev\.example\.test`\./,
      );

      const exported = await cli(['export', 'caddy', '--all', '--domain', 'example.com'], {env: t.env});
      expect(exported.stdout).toMatch(/api\.example\.com/);
      expect(exported.stdout).toMatch(/web\.example\.com/);

      const sync = await cli(['hosts', 'sync'], {env: t.env});
      expect(sync.code).toBe(0);
      expect(readFileSync(t.env.PORTICO_HOSTS_FILE!, 'utf8')).toContain(`127.0.0.1 api.${DOMAIN}`);
    },
    TEST_TIMEOUT,
  );

  it(
    'lets pages under the added domain call a route with a bare --cors (self), with credentials',
    async () => {
      const ca = readFileSync(path.join(t.home, 'domains', DOMAIN, 'ca.pem'), 'utf8');
      const add = await cli(['add', `cors.${DOMAIN}`, String(app.port), '--cors'], {env: t.env});
      expect(add.code, add.stderr).toBe(0);
      const port = await daemonPort(t.env);
      const preflight = (origin: string) =>
        new Promise<{status: number; headers: import('node:http').IncomingHttpHeaders}>((resolve, reject) => {
          const host = `cors.${DOMAIN}`;
          const req = https.request(
            {
              host: '127.0.0.1',
              port,
              method: 'OPTIONS',
              path: '/data',
              servername: host,
              headers: {host: `${host}:${port}`, origin, 'access-control-request-method': 'PUT'},
              ca,
              agent: false,
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers}));
            },
          );
          req.on('error', reject);
          req.end();
        });
      const own = await preflight(`https://web.${DOMAIN}:${port}`);
      expect(own.status).toBe(204);
      expect(own.headers['access-control-allow-origin']).toBe(`https://web.${DOMAIN}:${port}`);
      expect(own.headers['access-control-allow-credentials']).toBe('true');
      // A name outside every added domain is not self: its preflight goes to the backend (no CORS headers from portico).
      const other = await preflight(`https://web.example.org:${port}`);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      await cli(['rm', `cors.${DOMAIN}`], {env: t.env});
    },
    TEST_TIMEOUT,
  );

  it(
    'is covered by trust, the trust hint, doctor and ls, and domain rm refuses while routes use it, then untrusts and deletes its CA',
    async () => {
      const trust = await cli(['trust', '--stores', 'nss'], {env: t.env});
      expect(trust.code, trust.stdout).toBe(0);
      expect(trust.stdout).toMatch(/✓ nss .*: trusted/);
      expect(trust.stdout).toMatch(/✓ nss .*\[dev\.example\.test\]: trusted/);
      const check = await cli(['trust', '--check', '--stores', 'nss'], {env: t.env});
      expect(check.stdout).toMatch(/✓ nss .*\[dev\.example\.test\]: trusts the portico CA, leaf verified/);
      expect((await cli(['add', `more.${DOMAIN}`, String(app.port)], {env: t.env})).stderr).not.toMatch(/not trusted yet/);
      // Node reads one file: the advice names the bundle of every CA portico made.
      const node = await cli(['trust', '--stores', 'node'], {env: t.env});
      expect(node.stdout).toContain(`NODE_EXTRA_CA_CERTS=${path.join(t.home, 'ca-bundle.pem')}`);
      expect(readFileSync(path.join(t.home, 'ca-bundle.pem'), 'utf8')).toContain(readFileSync(path.join(t.home, 'domains', DOMAIN, 'ca.pem'), 'utf8').trim());

      const doctor = JSON.parse((await cli(['doctor', '--json', '--stores', 'nss'], {env: t.env})).stdout) as {
        checks: Array<{name: string; status: string; detail: string}>;
      };
      expect(doctor.checks.find((c) => c.name === `ca ${DOMAIN}`)).toMatchObject({
        status: 'ok',
        detail: expect.stringMatching(/^signs only names under dev\.example\.test/),
      });
      expect(doctor.checks.find((c) => c.name === `name api.${DOMAIN}`)?.detail).toMatch(/resolves to|does not resolve/);
      expect(doctor.checks.filter((c) => c.name.startsWith('trust nss')).every((c) => c.status === 'ok')).toBe(true);

      const ls = JSON.parse((await cli(['domain', 'ls', '--json'], {env: t.env})).stdout) as {domains: Array<{domain: string; routes: string[]}>};
      expect(ls.domains).toEqual([expect.objectContaining({domain: DOMAIN, routes: [`api.${DOMAIN}`, `more.${DOMAIN}`, `web.${DOMAIN}`]})]);

      const busy = await cli(['domain', 'rm', DOMAIN], {env: t.env});
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(
        /^portico: Domain `dev\.example\.test` still has routes: api\.dev\.example\.test, more\.dev\.example\.test, web\.dev\.example\.test; remove them first/,
      );
      expect(existsSync(path.join(t.home, 'domains', DOMAIN, 'ca.pem'))).toBe(true);

      for (const name of ['api', 'more', 'web']) await cli(['rm', `${name}.${DOMAIN}`], {env: t.env});
      const rm = await cli(['domain', 'rm', DOMAIN], {env: t.env});
      expect(rm.code, rm.stderr).toBe(0);
      expect(rm.stdout).toMatch(/✓ nss .*\[dev\.example\.test\]: removed/);
      expect(rm.stdout).toMatch(/Removed dev\.example\.test and its CA\./);
      expect(existsSync(path.join(t.home, 'domains', DOMAIN))).toBe(false);
      // The localhost CA stays trusted; only the domain's is gone.
      const after = await cli(['trust', '--check', '--stores', 'nss'], {env: t.env});
      expect(after.stdout).toMatch(/✓ nss .*: trusts the portico CA/);
      expect(after.stdout).not.toMatch(/dev\.example\.test/);
      expect((await cli(['add', `api.${DOMAIN}`, '9090'], {env: t.env})).stderr).toMatch(/Invalid name `api\.dev\.example\.test`/);
    },
    TEST_TIMEOUT,
  );
});
