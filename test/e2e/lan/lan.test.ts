import {execFile, execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import jsQRModule from 'jsqr';
import {parse} from 'plist';
import {PNG} from 'pngjs';
import QRCode from 'qrcode';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BIN, ROOT, killDaemon, tempHome} from '../../helpers/cli.js';
import {TEST_TIMEOUT, TIMEOUT, outputMatches} from '../../helpers/wait.js';

// Two network namespaces this test makes: the developer's machine (portico, a dev server) and a phone,
// joined by a veth pair in a private range that exists only inside them.
const tag = `${process.pid % 100000}`;
const HOST_NS = `portico-lanh-${tag}`;
const PHONE_NS = `portico-lanp-${tag}`;
const SUBNET = `10.231.${process.pid % 250}`;
const HOST_IP = `${SUBNET}.1`;
const PHONE_IP = `${SUBNET}.2`;

function canMakeNamespaces(): boolean {
  const name = `portico-lanx-${tag}`;
  const ok = spawnSync('ip', ['netns', 'add', name]).status === 0;
  if (ok) spawnSync('ip', ['netns', 'del', name]);
  return ok;
}

const ip = (...args: string[]) => execFileSync('ip', args, {stdio: 'pipe'});

let t: ReturnType<typeof tempHome>;
let scratch: string;
let devServer: ChildProcess;

/** Run portico inside the host namespace, as the developer would there. */
async function portico(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  try {
    const {stdout, stderr} = await promisify(execFile)('ip', ['netns', 'exec', HOST_NS, process.execPath, BIN, ...args], {
      env: t.env,
      cwd: ROOT,
      timeout: TIMEOUT.daemon,
    });
    return {code: 0, stdout, stderr};
  } catch (error) {
    const e = error as {code?: number; stdout?: string; stderr?: string};
    return {code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? ''};
  }
}

/** The phone's view, from a client in the phone namespace that trusts only the LAN CA. */
async function phone(
  port: number,
  mode = 'shared',
): Promise<Record<string, {status?: number; body?: string; error?: string; type?: string} | string | undefined>> {
  const ca = readFileSync(path.join(t.home, 'lan', 'ca.pem'), 'utf8');
  const script = path.join(ROOT, 'test', 'fixtures', 'lan', 'phone.mjs');
  const {stdout} = await promisify(execFile)(
    'ip',
    ['netns', 'exec', PHONE_NS, process.execPath, script, JSON.stringify({address: HOST_IP, port, ca, iface: PHONE_IP}), mode],
    {cwd: ROOT, timeout: TIMEOUT.namespace},
  );
  return JSON.parse(stdout) as Record<string, never>;
}

// jsqr is CommonJS whose types declare an ES default: under NodeNext the import is the function itself.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

const available = process.platform === 'linux' && canMakeNamespaces();

beforeAll(async () => {
  if (!available) return;
  t = tempHome();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'portico-lan-'));
  ip('netns', 'add', HOST_NS);
  ip('netns', 'add', PHONE_NS);
  ip('link', 'add', `plh${tag}`, 'netns', HOST_NS, 'type', 'veth', 'peer', 'name', `plp${tag}`, 'netns', PHONE_NS);
  for (const [ns, dev, addr] of [
    [HOST_NS, `plh${tag}`, HOST_IP],
    [PHONE_NS, `plp${tag}`, PHONE_IP],
  ] as const) {
    ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
  }
  const server = path.join(scratch, 'dev-server.mjs');
  writeFileSync(
    server,
    [
      "import {createHash} from 'node:crypto'; import http from 'node:http';",
      'const s = http.createServer((q, r) => r.end(`dev-server ${q.headers.host} ${q.url}`));',
      // A WebSocket echo, as a dev server's hot-reload socket: 101, then each (small, masked) text frame back unmasked.
      "s.on('upgrade', (q, socket) => {",
      "  const accept = createHash('sha1').update(q.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');",
      "  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');",
      "  socket.on('data', (f) => { const n = f[1] & 0x7f; const m = f.subarray(2, 6); socket.write(Buffer.concat([Buffer.from([0x81, n]), Buffer.from(f.subarray(6, 6 + n).map((b, i) => b ^ m[i % 4]))])); });",
      "  socket.on('error', () => socket.destroy());",
      '});',
      "s.listen(0, '127.0.0.1', () => console.log('port', s.address().port));",
    ].join('\n'),
  );
  devServer = spawn('ip', ['netns', 'exec', HOST_NS, process.execPath, server], {stdio: ['ignore', 'pipe', 'inherit']});
  let out = '';
  devServer.stdout!.on('data', (d: Buffer) => (out += d));
  await outputMatches(devServer, /port \d+/, () => out, {what: 'the dev server in the host namespace'});
  const port = /port (\d+)/.exec(out)![1]!;
  expect((await portico(['up', '--port', '0'])).code).toBe(0);
  expect((await portico(['add', 'app.localhost', port])).code).toBe(0);
  expect((await portico(['add', 'api.localhost', port])).code).toBe(0);
}, TEST_TIMEOUT);

afterAll(async () => {
  if (!available) return;
  await portico(['lan', 'off']);
  await portico(['down']);
  killDaemon(t.home);
  devServer?.kill('SIGKILL');
  spawnSync('ip', ['netns', 'del', HOST_NS]);
  spawnSync('ip', ['netns', 'del', PHONE_NS]);
  await t.cleanup();
  rmSync(scratch, {recursive: true, force: true});
});

describe.skipIf(!available)('portico lan', () => {
  it(
    'lets a phone on the network reach a shared route by mDNS name and by address, refuses an unshared one, and reaches nothing after lan off',
    async () => {
      const on = await portico(['lan', 'on', 'app.localhost', '--address', HOST_IP, '--port', '0', '--json']);
      expect(on.code, on.stderr).toBe(0);
      const result = JSON.parse(on.stdout) as {port: number; page: string; shares: Array<{name: string; host: string}>};
      expect(result.page).toBe(`http://${HOST_IP}:${result.port}/`);
      expect(result.shares).toEqual([expect.objectContaining({host: 'app.localhost', name: 'app.local'})]);
      expect((await portico(['ls'])).stdout).toMatch(
        new RegExp(`LAN: listening beyond loopback on ${HOST_IP.replace(/\./g, '\\.')}:${result.port}: app\\.local -> app\\.localhost`),
      );

      const seen = await phone(result.port);
      expect(seen.resolved).toBe(HOST_IP);
      // The dev server sees the routed name with portico's own port, as from a browser on this machine (README "Security model").
      expect(seen.byName).toMatchObject({status: 200, body: expect.stringMatching(/^dev-server app\.localhost(:\d+)? \/phone$/)});
      expect(seen.byAddress).toMatchObject({status: 200, body: expect.stringMatching(/^dev-server app\.localhost(:\d+)? \/phone$/)});
      // api.local was not shared: the LAN certificate does not name it, and by Host it gets 421.
      expect(seen.unsharedName).toEqual({error: 'ERR_TLS_CERT_ALTNAME_INVALID'});
      expect(seen.unsharedHost).toMatchObject({status: 421});
      // A dev page on the phone keeps its hot reload: WebSockets go through to the dev server, for shared names only.
      expect(seen.websocket).toEqual({status: 101, echo: 'hello from the phone'});
      expect(seen.unsharedWebsocket).toEqual({status: 421});

      const pageHtml = Buffer.from((seen.page as {body: string}).body, 'base64').toString();
      expect(pageHtml).toContain(`https://app.local:${result.port}/`);
      expect(pageHtml).toContain('Certificate Trust Settings');
      const profile = parse(Buffer.from((seen.profile as {body: string}).body, 'base64').toString()) as {
        PayloadContent: Array<{PayloadType: string; PayloadContent: Buffer}>;
      };
      expect(profile.PayloadContent[0]!.PayloadType).toBe('com.apple.security.root');
      const der = path.join(scratch, 'from-profile.cer');
      writeFileSync(der, Buffer.from(profile.PayloadContent[0]!.PayloadContent));
      const text = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', der, '-noout', '-text']).toString();
      expect(text).toMatch(/Name Constraints: critical\s+Permitted:\s+DNS:app\.local\s+IP:10\.231\.\d+\.1\/255\.255\.255\.255/);
      const crt = path.join(scratch, 'android.crt');
      writeFileSync(crt, Buffer.from((seen.cert as {body: string}).body, 'base64'));
      expect(execFileSync('openssl', ['x509', '-inform', 'DER', '-in', crt, '-noout', '-fingerprint', '-sha256']).toString()).toBe(
        execFileSync('openssl', ['x509', '-in', der, '-inform', 'DER', '-noout', '-fingerprint', '-sha256']).toString(),
      );

      const png = PNG.sync.read(await QRCode.toBuffer(result.page));
      expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(result.page);
      expect(on.stdout).toContain(result.page);

      expect((await portico(['lan', 'off'])).stdout).toMatch(/Stopped sharing on the LAN/);
      const after = await phone(result.port, 'after-off');
      expect(after.byAddress).toEqual({error: 'ECONNREFUSED'});
      expect((await portico(['ls'])).stdout).not.toMatch(/LAN:/);
    },
    TEST_TIMEOUT,
  );
});
