import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {withPortFlags} from '../../../src/run/devserver.js';
import {BROWSER_RESTRICTED, pickPorts} from '../../../src/run/ports.js';
import {nodeExtraCaCerts} from '../../../src/trust/node.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-run-unit-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const scripts = (s: Record<string, string>) => writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: 'x', scripts: s}));

describe('port flags for dev servers that ignore PORT', () => {
  it('pins vite to the port, strictly, on loopback', () => {
    expect(withPortFlags(['vite'], 5001, dir).argv).toEqual(['vite', '--port', '5001', '--strictPort', '--host', '127.0.0.1']);
    expect(withPortFlags(['npx', 'vite'], 5001, dir).argv).toEqual(['npx', 'vite', '--port', '5001', '--strictPort', '--host', '127.0.0.1']);
    expect(withPortFlags(['node', '/x/node_modules/vite/bin/vite.js'], 5001, dir).tool).toBe('vite');
    expect(withPortFlags(['pnpm', 'dlx', 'vite'], 5001, dir).tool).toBe('vite');
  });

  it('recognises astro, ng serve and next', () => {
    expect(withPortFlags(['npx', 'astro', 'dev'], 4321, dir).argv).toEqual(['npx', 'astro', 'dev', '--port', '4321', '--host', '127.0.0.1']);
    expect(withPortFlags(['ng', 'serve'], 4200, dir).argv).toEqual(['ng', 'serve', '--port', '4200', '--host', '127.0.0.1']);
    expect(withPortFlags(['next', 'dev'], 3000, dir).argv).toEqual(['next', 'dev', '--port', '3000', '--hostname', '127.0.0.1']);
  });

  it('looks inside npm, pnpm and yarn scripts; npm gets `--` before the flags', () => {
    scripts({dev: 'vite', start: 'cross-env NODE_ENV=dev astro dev', serve: 'node server.js'});
    expect(withPortFlags(['npm', 'run', 'dev'], 5002, dir).argv).toEqual(['npm', 'run', 'dev', '--', '--port', '5002', '--strictPort', '--host', '127.0.0.1']);
    expect(withPortFlags(['pnpm', 'dev'], 5002, dir).argv).toEqual(['pnpm', 'dev', '--port', '5002', '--strictPort', '--host', '127.0.0.1']);
    expect(withPortFlags(['yarn', 'start'], 5002, dir).tool).toBe('astro');
    expect(withPortFlags(['npm', 'run', 'serve'], 5002, dir).argv).toEqual(['npm', 'run', 'serve']);
  });

  it('leaves commands that honour PORT alone', () => {
    expect(withPortFlags(['node', 'server.js'], 5003, dir)).toEqual({argv: ['node', 'server.js']});
  });
});

describe('ports', () => {
  it('picks distinct free ports that browsers accept', async () => {
    const ports = await pickPorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) expect(BROWSER_RESTRICTED.has(p)).toBe(false);
    expect(BROWSER_RESTRICTED.has(6000)).toBe(true);
    expect(BROWSER_RESTRICTED.has(10080)).toBe(true);
  });
});

describe('the CA bundle for children', () => {
  it('is ca.pem alone, or the existing bundle plus ca.pem', () => {
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nPORTICO\n-----END CERTIFICATE-----\n');
    expect(nodeExtraCaCerts({}, ca, dir)).toEqual({path: ca, combined: false});
    const other = path.join(dir, 'corp.pem');
    writeFileSync(other, '-----BEGIN CERTIFICATE-----\nCORP\n-----END CERTIFICATE-----\n');
    const combined = nodeExtraCaCerts({NODE_EXTRA_CA_CERTS: other}, ca, dir);
    expect(combined).toEqual({path: path.join(dir, 'node-ca-bundle.pem'), combined: true});
    const text = readFileSync(combined.path, 'utf8');
    expect(text).toContain('CORP');
    expect(text).toContain('PORTICO');
  });
});
