import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {TIMEOUT} from './wait.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temp PORTICO_HOME for one test, and the env every CLI call in it uses. */
export function tempHome(): {home: string; env: NodeJS.ProcessEnv; cleanup: () => Promise<void>} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-e2e-'));
  const home = path.join(dir, 'home');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORTICO_HOME: home,
    NODE_EXTRA_CA_CERTS: '',
    SSL_CERT_FILE: '',
    CURL_CA_BUNDLE: '',
    FORCE_COLOR: '0',
    PORTICO_PORT: '',
  };
  delete env.PORTICO_PORT;
  // Hints speak the form the CLI was invoked in (`npx portico` under npx): a test run through
  // `npx vitest` must not make every CLI it starts speak npx. Tests of that set it themselves.
  delete env.npm_command;
  return {
    home,
    env,
    cleanup: async () => {
      await cli(['down'], {env}).catch(() => undefined);
      killDaemon(home);
      // Retries: a child killed a moment ago may still be closing files in the dir (ENOTEMPTY).
      rmSync(dir, {recursive: true, force: true, maxRetries: 10});
    },
  };
}

/** Kill a daemon left running by a failed test (by the pid in daemon.json). */
export function killDaemon(home: string): void {
  try {
    const {pid} = JSON.parse(readFileSync(path.join(home, 'daemon.json'), 'utf8')) as {pid: number};
    process.kill(pid, 'SIGKILL');
  } catch {
    // none running
  }
}

/** Run the built CLI as a user does (`script`: the path it is started by, e.g. a `proxy` link to BIN). */
export function cli(args: string[], options: {env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string; script?: string}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.script ?? BIN, ...args], {
      env: options.env,
      cwd: options.cwd ?? ROOT,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`portico ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? TIMEOUT.daemon);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({code: code ?? 1, stdout, stderr});
    });
  });
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {env, cwd, stdio: ['ignore', 'pipe', 'pipe']});
}

/** The port the daemon listens on, from `ls --json`. */
export async function daemonPort(env: NodeJS.ProcessEnv): Promise<number> {
  const result = await cli(['ls', '--json'], {env});
  return (JSON.parse(result.stdout) as {daemon: {port: number}}).daemon.port;
}

/** GET https://<host>:<port><path> through portico, verified against the CA in `home`. */
export function get(
  port: number,
  host: string,
  urlPath: string,
  home: string,
  options: {method?: string; body?: string} = {},
): Promise<{status: number; body: string; headers: http.IncomingHttpHeaders}> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: options.method ?? 'GET',
        servername: host,
        headers: {host},
        ca: readFileSync(path.join(home, 'ca.pem')),
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({status: res.statusCode ?? 0, body, headers: res.headers}));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A backend on 127.0.0.1:0 answering with its name; optionally each answer waits for `hold` (a test's gate). */
export async function backend(
  name: string,
  hold?: Promise<void>,
): Promise<{port: number; server: http.Server; hits: () => number; close: () => Promise<void>}> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    const answer = () => res.end(`${name} ${req.method} ${req.url}`);
    if (hold) void hold.then(answer);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as {port: number}).port,
    server,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** No stack trace: no `    at ` frames and no oclif error box around a bug. */
export function expectNoStack(result: CliResult): void {
  if (/\n\s+at /.test(result.stderr) || /\n\s+at /.test(result.stdout)) throw new Error(`stack trace printed:\n${result.stderr}`);
}

/** A daemon in a temp home serving `host` from a fresh backend answering `name`: the setup several suites share. */
export async function daemonServing(
  host: string,
  name: string,
): Promise<{t: ReturnType<typeof tempHome>; app: Awaited<ReturnType<typeof backend>>; port: number; close: () => Promise<void>}> {
  const t = tempHome();
  const app = await backend(name);
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', host, String(app.port)], {env: t.env});
  const port = await daemonPort(t.env);
  return {
    t,
    app,
    port,
    close: async () => {
      await t.cleanup();
      await app.close();
    },
  };
}
