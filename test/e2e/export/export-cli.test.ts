import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, expectNoStack, tempHome, type CliResult} from '../../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
let dir: string;
let project: string;

const CONFIG = {
  routes: {
    'app.localhost': 5173,
    'app.localhost/api': {targets: [9090, 9091], strategy: 'least-conn', health: '/healthz'},
    'app.localhost/docs': {target: 4000, stripPrefix: true},
  },
  deploy: {
    domain: 'example.com',
    backends: {'app.localhost/api': ['http://api-1:8080', 'http://api-2:8080'], '5173': 'http://web:3000', '4000': 'http://docs:80'},
  },
};

beforeAll(() => {
  t = tempHome();
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-export-cli-'));
  project = path.join(dir, 'shop');
  mkdirSync(project);
  writeFileSync(path.join(project, 'portico.json'), JSON.stringify(CONFIG));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dir, {recursive: true, force: true});
});

async function refused(args: string[], message: RegExp, cwd = dir): Promise<CliResult> {
  const result = await cli(['export', ...args], {env: t.env, cwd});
  expect(result.code, result.stdout).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stdout).toBe('');
  expectNoStack(result);
  return result;
}

describe('portico export from a project, without a daemon', () => {
  it("writes a Caddyfile with the deploy section's domain and backends", async () => {
    const result = await cli(['export', 'caddy', '--project', project], {env: t.env});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('app.example.com {');
    expect(result.stdout).toContain('reverse_proxy api-1:8080 api-2:8080 {');
    expect(result.stdout).toContain('lb_policy least_conn');
    expect(result.stdout).toContain('health_uri /healthz');
    expect(result.stdout).toContain('uri strip_prefix /docs');
    expect(result.stderr).toContain(`Exported 3 routes from ${path.join(project, 'portico.json')} for caddy.`);
    expect(existsSync(path.join(t.home, 'daemon.json'))).toBe(false);
  });

  it('reads the project in the current directory when no source is given', async () => {
    const result = await cli(['export', 'nginx'], {env: t.env, cwd: project});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('server_name app.example.com;');
    expect(result.stdout).toMatch(/upstream portico_app_api \{\n {4}least_conn;\n {4}server api-1:8080/);
  });

  it('lets --domain and --backend override the deploy section', async () => {
    const result = await cli(['export', 'ingress', '--project', project, '--domain', 'shop.test', '--backend', 'app.localhost=http://front:80'], {env: t.env});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('host: app.shop.test');
    expect(result.stdout).toMatch(/name: front\n\s+port:\n\s+number: 80/);
  });

  it('warns on stderr about what the target cannot express and writes it as a comment', async () => {
    const result = await cli(['export', 'nginx', '--project', project], {env: t.env});
    expect(result.stderr).toContain('warning: nginx: app.localhost/api: health check /healthz: not exported: nginx open source has no active health checks');
    expect(result.stdout).toContain('# portico: app.localhost/api: health check /healthz: not exported:');
  });

  it('with --strict, refuses a feature the target cannot express, naming the route and the feature', async () => {
    await refused(
      ['ingress', '--project', project, '--strict'],
      /Cannot export route `app\.localhost\/docs` to ingress as portico serves it: strip-prefix \(and 3 more: run without --strict to see them all\)\.\nnetworking\.k8s\.io\/v1 Ingress cannot rewrite paths/,
    );
  });

  it('writes -o FILE whole and prints nothing on stdout', async () => {
    const file = path.join(dir, 'routes.yaml');
    const result = await cli(['export', 'gateway', '--project', project, '-o', file, '--gateway', 'public', '--selector-label', 'app'], {env: t.env});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('kind: HTTPRoute');
    expect(text).toContain('- name: public');
    expect(text).toMatch(/selector:\n\s+app: api-1/);
  });
});

describe('portico export from the route table', () => {
  it("exports the daemon's routes, mapped with --backend PORT=URL", async () => {
    expect((await cli(['up', '--port', '0'], {env: t.env, cwd: dir})).code).toBe(0);
    expect((await cli(['add', 'api.localhost', '9090', '9091', '--strategy', 'sticky'], {env: t.env, cwd: dir})).code).toBe(0);
    const result = await cli(
      ['export', 'caddy', '--all', '--domain', 'example.org', '--backend', '9090=http://api-a:80', '--backend', '9091=http://api-b:80'],
      {env: t.env, cwd: project},
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('from the running daemon');
    expect(result.stdout).toContain('api.example.org {');
    expect(result.stdout).toContain('reverse_proxy api-a:80 api-b:80 {');
    expect(result.stdout).toContain('lb_policy cookie portico_api');
    expect(result.stdout).not.toContain('app.example');
  });

  it('exports the saved routes while the daemon is down', async () => {
    expect((await cli(['down'], {env: t.env, cwd: dir})).code).toBe(0);
    const result = await cli(['export', 'nginx', '--domain', 'example.org'], {env: t.env, cwd: dir});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`from ${path.join(t.home, 'routes.json')}`);
    expect(result.stdout).toContain('server_name api.example.org;');
    expect(result.stdout).toContain('hash $cookie_portico_api consistent;');
  });
});

describe('bad input to portico export gets one clear sentence and a non-zero exit', () => {
  it('refuses an unknown target kind', () =>
    refused(['haproxy', '--project', project], /Invalid export target `haproxy`: expected one of caddy, nginx, gateway, ingress\./));
  it('refuses a --backend without =', () =>
    refused(['caddy', '--project', project, '--backend', 'api.localhost'], /Invalid --backend `api\.localhost`: expected HOST\[\/PATH\]=URL or PORT=URL\./));
  it('refuses a --backend with a bad URL', () =>
    refused(
      ['caddy', '--project', project, '--backend', 'app.localhost=ftp://x:21'],
      /Invalid --backend `app\.localhost=ftp:\/\/x:21`: Invalid target `ftp:\/\/x:21`: scheme `ftp` is not http or https\./,
    ));
  it('refuses a --backend for a route that does not exist', () =>
    refused(
      ['caddy', '--project', project, '--backend', 'nope.localhost=http://x:80'],
      /Invalid --backend `nope\.localhost`: no route `nope\.localhost` to map \(routes: app\.localhost, app\.localhost\/api, app\.localhost\/docs\)\./,
    ));
  it('refuses a --domain with a scheme', () =>
    refused(
      ['caddy', '--project', project, '--domain', 'https://example.com'],
      /Invalid --domain `https:\/\/example\.com`: expected a DNS name like `example\.com` \(no scheme, port or path\)\./,
    ));
  it('refuses a --domain under .localhost', () => refused(['caddy', '--project', project, '--domain', 'dev.localhost'], /Invalid --domain `dev\.localhost`/));
  it('refuses a project without portico.json', () => refused(['caddy', '--project', dir], /Invalid --project `.*`: .* has no portico\.json/));
  it('refuses a bad --listen', () =>
    refused(['nginx', '--project', project, '--listen', 'example.com:80'], /Invalid --listen `example\.com:80`: expected PORT or ADDRESS:PORT/));
  it('refuses --tls-cert without --tls-key', () => refused(['nginx', '--project', project, '--tls-cert', '/x.pem'], /--tls-cert and --tls-key go together/));
  it('refuses a bad deploy section', async () => {
    const bad = path.join(dir, 'bad');
    mkdirSync(bad, {recursive: true});
    writeFileSync(path.join(bad, 'portico.json'), JSON.stringify({routes: {'a.localhost': 1}, deploy: {domian: 'x.com'}}));
    await refused(['caddy', '--project', bad], /Invalid `.*portico\.json`: unknown key `deploy\.domian` \(expected domain, backends\)\./);
  });
  it('refuses a deploy.backends key that names no route', async () => {
    const typo = path.join(dir, 'typo');
    mkdirSync(typo, {recursive: true});
    writeFileSync(path.join(typo, 'portico.json'), JSON.stringify({routes: {'a.localhost': 1}, deploy: {backends: {'b.localhost': 'http://b:80'}}}));
    await refused(
      ['caddy', '--project', typo],
      /Invalid deploy\.backends key in .*portico\.json `b\.localhost`: no route `b\.localhost` to map \(routes: a\.localhost\)\./,
    );
  });
  it('leaves an existing -o file as it was when the export fails', async () => {
    const file = path.join(dir, 'keep.conf');
    writeFileSync(file, 'old');
    await refused(['ingress', '--project', project, '--strict', '-o', file], /Cannot export route/);
    expect(readFileSync(file, 'utf8')).toBe('old');
  });
});

it('shows an example per target in --help', async () => {
  const result = await cli(['export', '--help'], {env: t.env});
  for (const kind of ['caddy', 'nginx', 'gateway', 'ingress']) expect(result.stdout).toContain(`portico export ${kind} `);
});
