import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {planRoutes, emptyBackendMap} from '../../../src/export/mapping.js';
import {parseProjectConfig} from '../../../src/routes/project.js';
import {cli, expectNoStack, tempHome} from '../../helpers/cli.js';
import {missingEngines} from './export-engines.js';
import {checkCaddy, checkNginx, exportNeverInjectable, scratch} from './export-properties.js';

const missing = missingEngines();
if (missing.length > 0) console.log(`skipping the export injection properties: ${missing.join(', ')} not installed (apt-get install caddy nginx-light)`);

let t: ReturnType<typeof tempHome>;
let dir: string;
beforeAll(() => {
  t = tempHome();
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-export-inject-'));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dir, {recursive: true, force: true});
});

function project(name: string, routes: Record<string, unknown>): string {
  const at = path.join(dir, name);
  mkdirSync(at);
  writeFileSync(path.join(at, 'portico.json'), JSON.stringify({routes}));
  return at;
}

describe.skipIf(missing.length > 0)('exports can never be injected', () => {
  it('refuses a route path, health path or target host holding config syntax, at `up` and at `export`, exit 2', async () => {
    for (const [routes, message] of [
      [{'app.localhost/a;b{': 9090}, /Invalid path in `app\.localhost\/a;b\{`: `\/a;b\{` may hold only letters, digits/],
      [{'app.localhost/api': {targets: 9090, health: '/h} } reverse_proxy evil:80 {'}}, /Invalid health path `\/h\} \} reverse_proxy evil:80 \{`/],
      [{'app.localhost': 'http://a;b:80'}, /Invalid target host `a;b`: expected an IP address or a DNS name/],
    ] as const) {
      const at = project(`p${Math.random().toString(36).slice(2)}`, routes);
      for (const args of [['up'], ['export', 'nginx']]) {
        const result = await cli(args, {env: t.env, cwd: at});
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stdout).toBe('');
        expectNoStack(result);
      }
    }
  });

  it('exports a header value full of quotes, semicolons, braces, `#` and `$` that nginx and Caddy read back exactly', async () => {
    const value = `"; return 200 "x" ; } # {http.request.host} \\ $host '`;
    const at = project('values', {
      'app.localhost/api': {targets: 9090, health: '/healthz', requestHeaders: [`X-Env: ${value}`], responseHeaders: [`X-Frame-Options: ${value}`, '-Server']},
    });
    for (const kind of ['nginx', 'caddy']) {
      const result = await cli(['export', kind, '--domain', 'example.com'], {env: t.env, cwd: at});
      expect(result.code, result.stderr).toBe(0);
    }
    const routes = planRoutes(
      parseProjectConfig(
        {
          routes: {
            'app.localhost/api': {
              targets: 9090,
              health: '/healthz',
              requestHeaders: [`X-Env: ${value}`],
              responseHeaders: [`X-Frame-Options: ${value}`, '-Server'],
            },
          },
        },
        'portico.json',
        at,
      ).routes,
      'example.com',
      emptyBackendMap(),
    );
    const work = scratch();
    try {
      checkNginx(work.dir, routes);
      checkCaddy(work.dir, routes);
    } finally {
      work.cleanup();
    }
  });

  // Bounded here (nginx -t and caddy adapt per case); the reliability suite runs many more.
  it('turns hostile route paths, health paths and header rules into configs nginx, Caddy and YAML read back exactly, or refuses them by name', () => {
    const accepted = exportNeverInjectable(30);
    console.log(`export properties: ${accepted} of 30 cases reached nginx, Caddy and YAML`);
    // Most cases must reach the engines, or the property would only test the parser.
    expect(accepted).toBeGreaterThanOrEqual(5);
  });
});
