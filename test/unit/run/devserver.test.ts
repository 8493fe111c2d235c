import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {withPortFlags} from '../../../src/run/devserver.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-run-unit-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const scripts = (s: Record<string, string>) => writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: 'x', scripts: s}));
const VITE = ['--port', '5001', '--strictPort', '--host', '127.0.0.1'];
const run = (...argv: string[]) => withPortFlags(argv, 5001, dir);

describe('port flags for dev servers that ignore PORT', () => {
  it('pins vite to the port, strictly, on loopback, however it is started', () => {
    expect(run('vite').argv).toEqual(['vite', ...VITE]);
    expect(run('npx', 'vite').argv).toEqual(['npx', 'vite', ...VITE]);
    expect(run('npx', '-y', 'vite', 'dev').argv).toEqual(['npx', '-y', 'vite', 'dev', ...VITE]);
    expect(run('node', '/x/node_modules/vite/bin/vite.js').argv).toEqual(['node', '/x/node_modules/vite/bin/vite.js', ...VITE]);
    expect(run('./node_modules/.bin/vite').tool).toBe('vite');
    expect(run('C:\\app\\node_modules\\.bin\\vite.CMD').tool).toBe('vite');
    expect(run('pnpm', 'dlx', 'vite').tool).toBe('vite');
    expect(run('pnpm', 'exec', 'vite').tool).toBe('vite');
    expect(run('yarn', 'exec', 'vite').tool).toBe('vite');
    expect(run('npm', 'exec', '--', 'vite').tool).toBe('vite');
    expect(run('bunx', 'vite').tool).toBe('vite');
    expect(run('bun', 'x', 'vite', 'preview').tool).toBe('vite');
  });

  it('runs a package binary through yarn or pnpm when no script has that name', () => {
    expect(run('yarn', 'vite').argv).toEqual(['yarn', 'vite', ...VITE]);
    expect(run('pnpm', 'vite', '--open').argv).toEqual(['pnpm', 'vite', '--open', ...VITE]);
  });

  it('recognises astro, ng serve, next, nuxt, webpack serve, remix vite:dev and ember serve', () => {
    expect(run('npx', 'astro', 'dev').argv).toEqual(['npx', 'astro', 'dev', '--port', '5001', '--host', '127.0.0.1']);
    expect(run('ng', 'serve').argv).toEqual(['ng', 'serve', '--port', '5001', '--host', '127.0.0.1']);
    expect(run('next', 'dev').argv).toEqual(['next', 'dev', '--port', '5001', '--hostname', '127.0.0.1']);
    expect(run('npx', 'nuxi', 'dev').tool).toBe('nuxi');
    expect(run('npx', 'webpack', 'serve', '--mode', 'development').tool).toBe('webpack');
    expect(run('webpack-dev-server').tool).toBe('webpack-dev-server');
    expect(run('remix', 'vite:dev').argv).toEqual(['remix', 'vite:dev', ...VITE]);
    expect(run('ember', 'serve').argv).toEqual(['ember', 'serve', '--port', '5001']);
  });

  it('adds nothing to commands that build instead of serving', () => {
    expect(run('vite', 'build')).toEqual({argv: ['vite', 'build']});
    expect(run('ng', 'build', '--watch')).toEqual({argv: ['ng', 'build', '--watch']});
    expect(run('webpack', '--watch')).toEqual({argv: ['webpack', '--watch']});
    expect(run('next', 'build')).toEqual({argv: ['next', 'build']});
    // Classic `remix dev --port` is the HMR port, not the app's: the app reads PORT.
    expect(run('remix', 'dev')).toEqual({argv: ['remix', 'dev']});
  });

  it('looks inside npm, pnpm, yarn and bun scripts; npm gets `--` before the flags', () => {
    scripts({dev: 'vite', start: 'cross-env NODE_ENV=dev astro dev', serve: 'node server.js', both: 'tsc -b && vite --open', preview: 'vite build'});
    expect(run('npm', 'run', 'dev').argv).toEqual(['npm', 'run', 'dev', '--', ...VITE]);
    expect(run('npm', 'run', 'dev', '--', '--open').argv).toEqual(['npm', 'run', 'dev', '--', '--open', ...VITE]);
    expect(run('npm', 'run', '--silent', 'dev').argv).toEqual(['npm', 'run', '--silent', 'dev', '--', ...VITE]);
    expect(run('pnpm', 'dev').argv).toEqual(['pnpm', 'dev', ...VITE]);
    expect(run('yarn', 'run', 'dev').argv).toEqual(['yarn', 'run', 'dev', ...VITE]);
    expect(run('bun', 'run', 'dev').argv).toEqual(['bun', 'run', 'dev', ...VITE]);
    expect(run('npm', 'start').tool).toBe('astro');
    expect(run('yarn', 'start').tool).toBe('astro');
    expect(run('npm', 'run', 'both').tool).toBe('vite');
    expect(run('npm', 'run', 'serve')).toEqual({argv: ['npm', 'run', 'serve']});
    expect(run('npm', 'run', 'preview')).toEqual({argv: ['npm', 'run', 'preview']});
  });

  it('warns instead of guessing when the dev server is not the last command of the script', () => {
    scripts({dev: 'vite & tsc -w', all: 'concurrently "vite" "tsc -w"'});
    const plan = run('npm', 'run', 'dev');
    expect(plan.argv).toEqual(['npm', 'run', 'dev']);
    expect(plan.warning).toMatch(/script `dev` runs `vite & tsc -w`: portico cannot pass the port to vite there; it must listen on \$PORT/);
    expect(run('pnpm', 'all').warning).toMatch(/cannot pass the port to vite/);
  });

  it('leaves commands that honour PORT alone', () => {
    expect(run('node', 'server.js')).toEqual({argv: ['node', 'server.js']});
    expect(run('npm', 'start')).toEqual({argv: ['npm', 'start']});
    expect(run('python3', '-m', 'http.server')).toEqual({argv: ['python3', '-m', 'http.server']});
  });
});

describe("dev servers' one-per-project locks, for --instances", () => {
  /** A project whose node_modules holds `name` at `version`, with its .bin link, as npm installs it. */
  const install = (name: string, version: string, bin: string) => {
    const pkg = path.join(dir, 'node_modules', name);
    mkdirSync(path.join(pkg, path.dirname(bin)), {recursive: true});
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({name, version}));
    writeFileSync(path.join(pkg, bin), '');
    mkdirSync(path.join(dir, 'node_modules', '.bin'), {recursive: true});
    symlinkSync(path.join(pkg, bin), path.join(dir, 'node_modules', '.bin', name));
  };

  it('refuses several `next dev` of Next.js 16 in one directory, saying how to give each its own distDir', () => {
    install('next', '16.1.2', 'dist/bin/next');
    scripts({dev: 'next dev --turbopack', start: 'next start'});
    const plan = withPortFlags(['npm', 'run', 'dev'], 5001, dir, 2);
    expect(plan.refusal).toMatch(
      /^Next\.js 16\.1\.2 runs one `next dev` per project directory \(it locks \.next\/dev\), so `--instances 2` cannot start a second one here\./,
    );
    expect(plan.refusal).toContain("in next.config.mjs: `distDir: process.env.PORTICO_INSTANCE ? '.next-' + process.env.PORTICO_INSTANCE : '.next'`");
    // One instance, `next start`, or an older Next: no lock in the way.
    expect(withPortFlags(['npm', 'run', 'dev'], 5001, dir, 1).refusal).toBeUndefined();
    expect(withPortFlags(['npm', 'start'], 5001, dir, 2).refusal).toBeUndefined();
    expect(withPortFlags(['npx', 'next', 'dev'], 5001, dir, 3).refusal).toMatch(/`--instances 3`/);
  });

  it('lets them run once next.config gives each instance its own directory or turns the lock off', () => {
    install('next', '16.0.0', 'dist/bin/next');
    writeFileSync(
      path.join(dir, 'next.config.ts'),
      "export default {distDir: process.env.PORTICO_INSTANCE ? '.next-' + process.env.PORTICO_INSTANCE : '.next'};\n",
    );
    expect(withPortFlags(['npx', 'next', 'dev'], 5001, dir, 2).refusal).toBeUndefined();
    writeFileSync(path.join(dir, 'next.config.ts'), 'export default {experimental: {lockDistDir: false}};\n');
    expect(withPortFlags(['npx', 'next', 'dev'], 5001, dir, 2).refusal).toBeUndefined();
    writeFileSync(path.join(dir, 'next.config.ts'), 'export default {};\n');
    expect(withPortFlags(['npx', 'next', 'dev'], 5001, dir, 2).refusal).toMatch(/in next\.config\.ts:/);
  });

  it('has nothing to say about Next.js 15, which has no such lock', () => {
    install('next', '15.5.4', 'dist/bin/next');
    expect(withPortFlags(['npx', 'next', 'dev'], 5001, dir, 2).refusal).toBeUndefined();
  });

  it('passes --bypass-lock to each of several Vite 8.4+ instances, and not to an older Vite', () => {
    install('vite', '8.4.0', 'bin/vite.js');
    expect(withPortFlags(['npx', 'vite'], 5001, dir, 2).argv).toEqual(['npx', 'vite', ...VITE, '--bypass-lock']);
    expect(withPortFlags(['npx', 'vite'], 5001, dir, 1).argv).toEqual(['npx', 'vite', ...VITE]);
    writeFileSync(path.join(dir, 'node_modules', 'vite', 'package.json'), JSON.stringify({name: 'vite', version: '8.3.9'}));
    expect(withPortFlags(['npx', 'vite'], 5001, dir, 2).argv).toEqual(['npx', 'vite', ...VITE]);
  });
});
