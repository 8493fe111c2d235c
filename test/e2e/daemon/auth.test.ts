import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {backend, cli, daemonPort, tempHome} from '../../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

function get(port: number, host: string, auth?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        servername: host,
        headers: {host, ...(auth ? {authorization: `Basic ${Buffer.from(auth).toString('base64')}`} : {})},
        ca: readFileSync(path.join(t.home, 'ca.pem')),
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('--auth from the command line', () => {
  it('reads the password from stdin, stores only a scrypt hash, never prints it, gates the route, and --auth off opens it again', async () => {
    const b = await backend('admin');
    try {
      await cli(['up', '--port', '0'], {env: t.env});
      const port = await daemonPort(t.env);
      const add = await cli(['add', 'admin.localhost', String(b.port), '--auth', 'basic:admin', '--json'], {env: t.env, input: 'correct horse\n'});
      expect(add.code, add.stderr).toBe(0);
      const saved = readFileSync(path.join(t.home, 'routes.json'), 'utf8');
      expect(saved).not.toContain('correct horse');
      expect(saved).toMatch(/"hash": "scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}"/);
      const ls = await cli(['ls', '--json'], {env: t.env});
      for (const out of [add.stdout, add.stderr, ls.stdout, (await cli(['ls'], {env: t.env})).stdout]) {
        expect(out).not.toContain('correct horse');
        expect(out).not.toContain('scrypt$');
      }
      expect(JSON.parse(ls.stdout).routes[0].options).toEqual({auth: {kind: 'basic', user: 'admin'}});

      expect(await get(port, 'admin.localhost')).toBe(401);
      expect(await get(port, 'admin.localhost', 'admin:wrong')).toBe(401);
      expect(await get(port, 'admin.localhost', 'admin:correct horse')).toBe(200);
      expect(b.hits()).toBe(1);

      const off = await cli(['add', 'admin.localhost', String(b.port), '--auth', 'off'], {env: t.env});
      expect(off.code, off.stderr).toBe(0);
      expect(await get(port, 'admin.localhost')).toBe(200);
      expect(readFileSync(path.join(t.home, 'routes.json'), 'utf8')).not.toContain('auth');
    } finally {
      await b.close();
    }
  });

  it('refuses an empty password and a malformed --auth with one sentence and exit 2, leaving routes.json alone', async () => {
    const empty = await cli(['add', 'admin.localhost', '9090', '--auth', 'basic:admin'], {env: t.env, input: '\n'});
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('Empty password for --auth basic: type one at the prompt or pipe it on stdin.');
    const bad = await cli(['add', 'admin.localhost', '9090', '--auth', 'digest'], {env: t.env});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid --auth `digest`: expected basic:USER (a user name without `:`), token or off.');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(t.home, 'routes.json'))).toBe(false);
  });

  it('refuses `auth` in portico.json, since a credential does not belong in a project file', async () => {
    const project = path.join(t.home, '..', 'project');
    mkdirSync(project, {recursive: true});
    writeFileSync(path.join(project, 'portico.json'), JSON.stringify({routes: {'app.localhost': {target: 5173, auth: 'token'}}}));
    const up = await cli(['up', '--port', '0'], {env: t.env, cwd: project});
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/`auth` is not read from portico\.json/);
  });
});
