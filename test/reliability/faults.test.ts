import {execFile} from 'node:child_process';
import {readFileSync, readdirSync, rmSync} from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import {promisify} from 'node:util';
import {describe, expect, it} from 'vitest';
import {BIN, cli, daemonPort, get, tempHome} from '../helpers/cli.js';
import {proxyKit, request, route, type Harness} from '../helpers/harness.js';
import {TIMEOUT, waitFor} from '../helpers/wait.js';

let h: Harness | undefined;
const kit = proxyKit();
const backend = kit.backend;

describe('backend faults', () => {
  it('answers 502 to a backend that sends garbage, and keeps serving', async () => {
    const garbage = net.createServer((s) => {
      s.on('data', () => s.end('this is not HTTP at all\r\n\r\n'));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    kit.closeAfter(() => garbage.close());
    const ok = await backend();
    h = await kit.start([route('bad.localhost', [`127.0.0.1:${(garbage.address() as net.AddressInfo).port}`]), route('ok.localhost', [ok.port])]);
    expect((await request(h, 'bad.localhost', '/')).status).toBe(502);
    expect((await request(h, 'ok.localhost', '/')).status).toBe(200);
  });

  it('never replays a POST whose connection the backend reset after reading it, and keeps serving', async () => {
    let posts = 0;
    const rude = await backend((req, res) => {
      if (req.method !== 'POST') return void res.end('ok');
      posts++;
      req.resume();
      req.on('end', () => req.socket.resetAndDestroy());
    });
    h = await kit.start([route('app.localhost', [rude.port])]);
    for (let i = 0; i < 5; i++) expect((await request(h, 'app.localhost', '/pay', {method: 'POST', body: 'x'})).status).toBe(502);
    expect(posts).toBe(5);
    expect((await request(h, 'app.localhost', '/')).status).toBe(200);
  });

  it('answers 504 and frees the instance when a backend accepts but never answers, a request or a WebSocket handshake', async () => {
    const held = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      held.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    kit.closeAfter(() => {
      for (const s of held) s.destroy();
      return new Promise((r) => silent.close(r));
    });
    h = await kit.start([route('app.localhost', [`127.0.0.1:${(silent.address() as net.AddressInfo).port}`])], {backendTimeout: 300, upgradeTimeout: 300});
    expect((await request(h, 'app.localhost', '/')).status).toBe(504);
    const ws = await request(h, 'app.localhost', '/ws', {
      headers: {connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13'},
    });
    expect(ws.status).toBe(504);
    await waitFor(() => h!.proxy.status()[0]!.targets[0]!.active === 0, {what: 'the instance to show no active requests'});
  });
});

describe('client faults', () => {
  it('frees the instance when a client disconnects mid-upload and mid-download', async () => {
    // Paths whose exchange the proxy cut at the backend (connection closed before the request or the response was complete).
    const cut = new Set<string>();
    let uploaded = 0;
    const b = await backend((req, res) => {
      res.on('close', () => (!req.complete || !res.writableFinished) && cut.add(req.url ?? ''));
      if (req.method === 'GET') {
        res.writeHead(200);
        const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024)), 5);
        res.on('close', () => clearInterval(timer));
      } else req.on('data', (d: Buffer) => (uploaded += d.length));
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    // Upload: send part of a declared body, then vanish.
    await new Promise<void>((resolve) => {
      const req = https.request({
        host: '127.0.0.1',
        port: h!.proxy.port,
        method: 'POST',
        path: '/up',
        servername: 'app.localhost',
        headers: {host: 'app.localhost', 'content-length': 10_000_000},
        ca: h!.ca,
        agent: false,
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100_000));
      // Vanish once the upload is under way at the backend.
      void waitFor(() => uploaded > 0, {what: 'the upload to reach the backend'}).then(() => {
        req.destroy();
        resolve();
      });
    });
    // Download: read a little of an endless response, then vanish.
    await new Promise<void>((resolve) => {
      https.get(
        {host: '127.0.0.1', port: h!.proxy.port, path: '/down', servername: 'app.localhost', headers: {host: 'app.localhost'}, ca: h!.ca, agent: false},
        (res) => {
          res.once('data', () => {
            res.destroy();
            resolve();
          });
        },
      );
    });
    await waitFor(() => cut.has('/up') && cut.has('/down'), {what: 'the proxy to close both backend exchanges', detail: () => [...cut].join(', ')});
    await waitFor(() => h!.proxy.status()[0]!.targets[0]!.active === 0, {what: 'the instance to show no active requests'});
  });

  it('applies backpressure to a slow-reading client instead of buffering the backend without bound', async () => {
    let written = 0;
    let stalled = false;
    const b = await backend((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        stalled = false;
        while (written < 200 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) {
            stalled = true;
            return void res.once('drain', pump);
          }
        }
        res.end();
      };
      pump();
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    const req = https.get(
      {host: '127.0.0.1', port: h.proxy.port, path: '/', servername: 'app.localhost', headers: {host: 'app.localhost'}, ca: h.ca, agent: false},
      (res) => res.pause(),
    );
    req.on('error', () => undefined);
    kit.closeAfter(() => req.destroy());
    // Wait until the backend is held back for good: stalled, with nothing more written over five
    // checks in a row (or it wrote everything, which the assertion below then reports).
    let last = -1;
    let still = 0;
    await waitFor(
      () => {
        still = stalled && written === last ? still + 1 : 0;
        last = written;
        return still >= 5 || written >= 200 * 1024 * 1024;
      },
      {what: 'the backend to be held back by the slow reader', interval: 200},
    );
    // Socket buffers and stream high-water marks only: a few MB, not the 200 MB the backend would send.
    expect(written).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('state faults', () => {
  it('leaves routes.json whole (old or new, never torn) when the daemon is killed during writes', async () => {
    const t = tempHome();
    kit.closeAfter(() => t.cleanup());
    for (let round = 0; round < 5; round++) {
      await cli(['up', '--port', '0'], {env: t.env});
      const adds = Array.from({length: 6}, (_, i) => cli(['add', `r${round}x${i}.localhost`, String(9000 + i)], {env: t.env}).catch(() => undefined));
      // Kill it mid-way: once some of this round's adds are saved and others are still being written.
      await waitFor(() => readFileSync(path.join(t.home, 'routes.json'), 'utf8').includes(`r${round}x`), {what: `an add of round ${round} to be saved`});
      const {pid} = JSON.parse(readFileSync(path.join(t.home, 'daemon.json'), 'utf8')) as {pid: number};
      process.kill(pid, 'SIGKILL');
      await Promise.all(adds);
      const text = readFileSync(path.join(t.home, 'routes.json'), 'utf8');
      expect(() => JSON.parse(text)).not.toThrow();
      expect(readdirSync(t.home).filter((f) => f.startsWith('routes.json.corrupt'))).toEqual([]);
    }
  });

  it('says the disk is full and keeps the old routes when routes.json cannot be written', async () => {
    // A tiny tmpfs in a private mount namespace: the machine's disks are never filled.
    const script = `set -e
home=$(mktemp -d)
mount -t tmpfs -o size=256k tmpfs "$home"
export PORTICO_HOME="$home/p"
node ${BIN} up --port 0 >/dev/null
node ${BIN} add keep.localhost 9000 >/dev/null 2>&1
set +e
dd if=/dev/zero of="$home/filler" bs=4k 2>/dev/null || true
node ${BIN} add lost.localhost 9001; echo "ADD=$?"
node ${BIN} ls --json | grep -c '"host"' | sed 's/^/ROUTES=/'
cat "$PORTICO_HOME/routes.json" | grep -c keep.localhost | sed 's/^/KEPT=/'
node ${BIN} down >/dev/null
`;
    const seconds = String(TIMEOUT.namespace / 1000);
    const {stdout, stderr} = await promisify(execFile)('timeout', [
      '-k',
      '5',
      seconds,
      'unshare',
      '-m',
      '--propagation',
      'private',
      'bash',
      '-c',
      script,
    ]).catch((e) => e as {stdout: string; stderr: string});
    expect(stderr).toMatch(/Could not save .*routes\.json: the disk is full; nothing was changed\./);
    expect(stdout).toMatch(/ADD=1/);
    expect(stdout).toMatch(/ROUTES=1/);
    expect(stdout).toMatch(/KEPT=1/);
  });

  it('keeps serving when the CA key is deleted while running, and refuses to start without it rather than make a new CA', async () => {
    const t = tempHome();
    kit.closeAfter(() => t.cleanup());
    const b = await backend();
    await cli(['up', '--port', '0'], {env: t.env});
    await cli(['add', 'app.localhost', String(b.port)], {env: t.env});
    const port = await daemonPort(t.env);
    const caPem = readFileSync(path.join(t.home, 'ca.pem'), 'utf8');
    rmSync(path.join(t.home, 'ca-key.pem'));
    expect((await get(port, 'app.localhost', '/still', t.home)).status).toBe(200);
    await cli(['add', 'fresh.localhost', String(b.port)], {env: t.env});
    expect((await get(port, 'fresh.localhost', '/new-name', t.home)).status).toBe(200);
    await cli(['down'], {env: t.env});
    const up = await cli(['up', '--port', '0'], {env: t.env});
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/The portico CA is incomplete: `.*ca-key\.pem` is missing\./);
    expect(readFileSync(path.join(t.home, 'ca.pem'), 'utf8')).toBe(caPem);
  });
});
