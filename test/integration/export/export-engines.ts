import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {TIMEOUT} from '../../helpers/wait.js';

/** Where the Debian packages put the engines (.ci/run installs caddy and nginx-light). */
export const CADDY = '/usr/bin/caddy';
export const NGINX = '/usr/sbin/nginx';

export function missingEngines(): string[] {
  return [CADDY, NGINX].filter((bin) => !existsSync(bin));
}

export interface Engine {
  name: string;
  port: number;
  child: ChildProcess;
  /** Everything the engine wrote, for a failure message. */
  output: () => string;
  stop: () => Promise<void>;
}

function watch(name: string, port: number, child: ChildProcess, logFile?: string): Engine {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    name,
    port,
    child,
    output: () => output + (logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Real Caddy on the exported Caddyfile: imported from a main Caddyfile whose global options turn
 * the admin endpoint off and keep HOME/XDG in the temp dir, so nothing is written outside it.
 */
export function startCaddy(dir: string, exported: string, port: number): Engine {
  const main = path.join(dir, 'Caddyfile');
  writeFileSync(main, `{\n\tadmin off\n\tauto_https off\n}\n\nimport ${exported}\n`);
  const home = path.join(dir, 'home');
  mkdirSync(home, {recursive: true});
  const env = {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config')};
  const child = spawn(CADDY, ['run', '--config', main, '--adapter', 'caddyfile'], {env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe']});
  return watch('caddy', port, child);
}

/**
 * Real nginx on the exported file: a main config that `include`s it in the http context, with
 * pid, logs and temp paths under the temp prefix, in the foreground.
 */
export function startNginx(dir: string, exported: string, port: number): Engine {
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp, {recursive: true});
  const main = path.join(dir, 'nginx.conf');
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${path.join(tmp, t)};`);
  writeFileSync(
    main,
    [
      'daemon off;',
      'worker_processes 1;',
      // As root, workers would switch to `nobody`, which cannot read the 0700 temp dir.
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events { worker_connections 256; }',
      'http {',
      '    access_log off;',
      ...temps,
      `    include ${exported};`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(NGINX, ['-p', dir, '-c', main, '-e', path.join(dir, 'error.log')], {cwd: dir, stdio: ['ignore', 'pipe', 'pipe']});
  return watch('nginx', port, child, path.join(dir, 'error.log'));
}

/** Poll until the engine answers a request for `host` on its port, or fail with its output. */
export async function waitForEngine(engine: Engine, host: string, ms: number = TIMEOUT.daemon): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (engine.child.exitCode !== null) throw new Error(`${engine.name} exited with ${engine.child.exitCode}:\n${engine.output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({host: '127.0.0.1', port: engine.port, path: '/', headers: {host}, agent: false}, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${engine.name} did not answer on 127.0.0.1:${engine.port} within ${ms} ms:\n${engine.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
