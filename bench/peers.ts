import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {daemon, freePort, has, run, waitPort} from './util.js';

export interface Running {
  /** Port the load goes to. */
  port: number;
  /** TLS (https) or the plain backend (direct). */
  tls: boolean;
  /** pid whose RSS is measured and whose process tree's CPU is counted, when known. */
  pid?: number;
  /** portico peers: the checkout's bin/run.js and the environment its CLI runs with. */
  bin?: string;
  env?: NodeJS.ProcessEnv;
  /** A variant of this checkout (`portico-w2`): measured under load only; portico-only scenarios run once, for `portico`. */
  variant?: boolean;
  stop(): Promise<void>;
}

export interface Peer {
  name: string;
  /** Why it cannot run here and how to install it, or undefined when it can. */
  missing(): string | undefined;
  start(backendPort: number, dir: string): Promise<Running>;
}

export const HOST = 'bench.localhost';
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'run.js');

/** A self-signed certificate for bench.localhost and 127.0.0.1 (nginx, portless). */
export function benchCert(dir: string): {cert: string; key: string} {
  const cert = path.join(dir, 'bench.crt');
  const key = path.join(dir, 'bench.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${HOST}`,
      '-addext',
      `subjectAltName=DNS:${HOST},IP:127.0.0.1`,
    ],
    {stdio: 'pipe'},
  );
  return {cert, key};
}

export const direct: Peer = {
  name: 'direct',
  missing: () => undefined,
  async start(backendPort) {
    return {port: backendPort, tls: false, stop: async () => undefined};
  },
};

export function porticoEnv(dir: string, name = 'portico'): NodeJS.ProcessEnv {
  return {...process.env, PORTICO_HOME: path.join(dir, name), NODE_EXTRA_CA_CERTS: ''};
}

/** A portico checkout as a peer: this one, or another built one (`--baseline DIR`) under its own name and home. */
export function porticoPeer(name = 'portico', bin = BIN, upArgs: string[] = []): Peer {
  return {
    name,
    missing: () => (existsSync(bin) ? undefined : `no ${bin} (build that checkout first: npm ci && npm run build)`),
    async start(backendPort, dir) {
      const env = porticoEnv(dir, name);
      const port = await freePort();
      const up = await run(process.execPath, [bin, 'up', '--port', String(port), ...upArgs], {env});
      if (up.code !== 0) throw new Error(`portico up failed: ${up.stderr}`);
      await run(process.execPath, [bin, 'add', HOST, `127.0.0.1:${backendPort}`], {env});
      // The compressed and cached scenarios: the same backend under two paths with front-door options.
      await run(process.execPath, [bin, 'add', `${HOST}/gz`, `127.0.0.1:${backendPort}`, '--compress'], {env});
      await run(process.execPath, [bin, 'add', `${HOST}/cached`, `127.0.0.1:${backendPort}`, '--cache'], {env});
      const pid = (JSON.parse(readFileSync(path.join(dir, name, 'daemon.json'), 'utf8')) as {pid: number}).pid;
      return {
        port,
        tls: true,
        pid,
        bin,
        env,
        ...(upArgs.length > 0 ? {variant: true} : {}),
        stop: async () => void (await run(process.execPath, [bin, 'down'], {env})),
      };
    },
  };
}

export const portico = porticoPeer();

/** This checkout with a worker process (`up --workers 2`, README "Workers"): both cores serve connections. */
export const porticoWorkers = porticoPeer('portico-w2', BIN, ['--workers', '2']);

export const caddy: Peer = {
  name: 'caddy',
  missing: () => (has('caddy') ? undefined : 'caddy not installed (apt-get install caddy)'),
  async start(backendPort, dir) {
    const port = await freePort();
    const home = path.join(dir, 'caddy');
    mkdirSync(home, {recursive: true});
    const file = path.join(home, 'Caddyfile');
    writeFileSync(
      file,
      `{
  admin off
  skip_install_trust
  local_certs
  auto_https disable_redirects
  http_port ${await freePort()}
  https_port ${port}
  default_sni ${HOST}
  log {
    output discard
  }
}
https://${HOST}:${port}, https://127.0.0.1:${port} {
  tls internal
  # The compressed scenario, at the gzip level portico and nginx use.
  handle /gz* {
    encode {
      gzip 5
    }
    reverse_proxy 127.0.0.1:${backendPort}
  }
  handle {
    reverse_proxy 127.0.0.1:${backendPort}
  }
}
`,
    );
    const proc = daemon('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], {...process.env, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home, HOME: home});
    await waitPort(port);
    return {port, tls: true, pid: proc.child.pid, stop: async () => proc.stop()};
  },
};

export const nginx: Peer = {
  name: 'nginx',
  missing: () => (has('nginx') ? undefined : 'nginx not installed (apt-get install nginx-light)'),
  async start(backendPort, dir) {
    const port = await freePort();
    const home = path.join(dir, 'nginx');
    mkdirSync(path.join(home, 'tmp'), {recursive: true});
    const {cert, key} = benchCert(home);
    const conf = path.join(home, 'nginx.conf');
    writeFileSync(
      conf,
      `worker_processes 2;
# Workers run as this user: as root, nginx's default (nobody) could not enter the 0700 temp directory
# (proxy_cache then answered nothing). Ignored, with a notice, when not started as root.
user ${os.userInfo().username};
daemon off;
pid ${home}/nginx.pid;
error_log ${home}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${home}/tmp/body; proxy_temp_path ${home}/tmp/proxy; fastcgi_temp_path ${home}/tmp/fcgi; uwsgi_temp_path ${home}/tmp/uwsgi; scgi_temp_path ${home}/tmp/scgi;
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 64; }
  proxy_cache_path ${home}/tmp/cache keys_zone=bench:10m max_size=64m;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  # Not 1000 requests per client connection (the default): h2load does not reconnect after GOAWAY.
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
    }
    # The compressed scenario, at the gzip level portico and Caddy use.
    location /gz {
      gzip on;
      gzip_comp_level 5;
      gzip_types application/json;
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Connection "";
    }
    # The cached scenario: the backend says max-age=60, nginx keeps it.
    location /cached {
      proxy_cache bench;
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Connection "";
    }
  }
}
`,
    );
    const proc = daemon('nginx', ['-c', conf, '-p', home]);
    await waitPort(port);
    return {port, tls: true, pid: proc.child.pid, stop: async () => proc.stop()};
  },
};

/**
 * portless needs Node 24, and on first use it would add its CA to the system store and sync
 * /etc/hosts: it runs here inside a private mount namespace with copies of those bind-mounted,
 * with its own certificate, so the machine is never touched.
 */
export const portless: Peer = {
  name: 'portless',
  missing: () => (has('unshare') ? undefined : 'portless runs in a private mount namespace here: needs unshare (util-linux)'),
  async start(backendPort, dir) {
    const home = path.join(dir, 'portless');
    mkdirSync(home, {recursive: true});
    const install = await run('npm', ['install', '--prefix', home, '--no-audit', '--no-fund', 'portless@0.15'], {timeoutMs: 180_000});
    if (install.code !== 0) throw new Error('npm install portless failed (install it with `npm install portless` where the registry is reachable)');
    const node24 = (await run('npx', ['-y', '-p', 'node@24', 'node', '-e', 'console.log(process.execPath)'], {timeoutMs: 180_000})).stdout.trim();
    if (!node24) throw new Error('Node 24 is not available (npx -p node@24)');
    const {cert, key} = benchCert(home);
    const port = await freePort();
    const cli = path.join(home, 'node_modules', 'portless', 'dist', 'cli.js');
    const env = `PORTLESS_STATE_DIR=${home}/state PORTLESS_SYNC_HOSTS=0 PORTLESS_PORT=${port}`;
    const script = path.join(home, 'start.sh');
    writeFileSync(
      script,
      `set -e
for d in /etc/ssl/certs /usr/local/share/ca-certificates; do mkdir -p ${home}/ns$d; cp -a $d/. ${home}/ns$d/; mount --bind ${home}/ns$d $d; done
cp /etc/hosts ${home}/ns-hosts; mount --bind ${home}/ns-hosts /etc/hosts
env ${env} ${node24} ${cli} alias bench ${backendPort} >/dev/null 2>&1 || true
exec env ${env} ${node24} ${cli} proxy start --foreground --port ${port} --cert ${cert} --key ${key}
`,
    );
    const proc = daemon('unshare', ['-m', '--propagation', 'private', 'bash', script]);
    await waitPort(port, 30_000);
    return {port, tls: true, pid: proc.child.pid, stop: async () => proc.stop()};
  },
};

/** Node's HTTPS server and http-proxy-3 alone (bench/node-floor.ts): what portico's cost per request stands on. */
export const nodeFloor: Peer = {
  name: 'node',
  missing: () => undefined,
  async start(backendPort, dir) {
    const home = path.join(dir, 'node');
    mkdirSync(home, {recursive: true});
    const {cert, key} = benchCert(home);
    const port = await freePort();
    const proc = daemon(process.execPath, [path.join(ROOT, 'dist', 'bench', 'node-floor.js'), String(backendPort), String(port), cert, key]);
    await waitPort(port);
    return {port, tls: true, pid: proc.child.pid, stop: async () => proc.stop()};
  },
};

export const ALL_PEERS = [portico, porticoWorkers, caddy, nginx, portless, nodeFloor, direct];
