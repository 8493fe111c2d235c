import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import WebSocket, {WebSocketServer} from 'ws';
import {BIN, cli, daemonPort, tempHome} from '../../helpers/cli.js';
import {harValidator} from '../../helpers/har.js';
import {waitFor as waitUntil} from '../../helpers/wait.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * Whether a screen captured with `capture-pane -e` shows a cell in reverse video (the selected
 * row). SGR parameters are read one by one, skipping a 256-colour or RGB colour's own numbers, so
 * colour 7 is not taken for reverse video.
 */
function hasInverse(screen: string): boolean {
  for (const m of screen.matchAll(/\x1b\[([0-9;:]*)m/g)) {
    const params = m[1]!.split(';');
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (p === '38' || p === '48' || p === '58') i += params[i + 1] === '5' ? 2 : 4;
      else if (p === '7') return true;
    }
  }
  return false;
}

let t: ReturnType<typeof tempHome>;
let port: number;
let server: http.Server;
let wss: WebSocketServer;
let posts = 0;

/** The developer's API: echoes JSON POSTs with 201, serves a gzip page, speaks WebSocket. */
function startApi(): Promise<number> {
  server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      posts++;
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        res.writeHead(201, {'content-type': 'application/json'});
        res.end(JSON.stringify({created: JSON.parse(body) as unknown, id: posts}));
      });
      return;
    }
    if (req.url === '/gz') {
      res.writeHead(200, {'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip'});
      res.end(gzipSync('compressed hello from the api\n'));
      return;
    }
    res.end('ok');
  });
  wss = new WebSocketServer({server});
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${String(m)}`)));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

function send(
  host: string,
  urlPath: string,
  options: {method?: string; body?: string; headers?: http.OutgoingHttpHeaders} = {},
): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: options.method ?? 'GET',
        servername: host,
        headers: {host: `${host}:${port}`, ...options.headers},
        ca: readFileSync(path.join(t.home, 'ca.pem')),
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({status: res.statusCode ?? 0, body}));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

beforeAll(async () => {
  t = tempHome();
  const api = await startApi();
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', 'api.localhost', String(api)], {env: t.env});
  // A target nothing listens on: the developer forgot to start it.
  await cli(['add', 'down.localhost', '1'], {env: t.env});
  port = await daemonPort(t.env);
});
afterAll(async () => {
  await t.cleanup();
  wss.close();
  server.closeAllConnections();
  server.close();
});

describe.skipIf(!hasTmux)('portico dash as a traffic inspector, in a real terminal', () => {
  it('opens the detail of a JSON POST, a gzip response, a 404, a 502 and a WebSocket; replays, copies curl and writes HAR', async () => {
    const session = `portico-inspect-${process.pid}`;
    const cwd = path.join(t.home, '..');
    // A private tmux server: nothing shared with the developer's own tmux or other tests.
    const socket = `portico-inspect-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args]).toString();
    const env = Object.entries({PORTICO_HOME: t.home, TERM: 'xterm-256color'})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    // A developer's terminal: CI's own CI=true (and any colour override) stays out of it, so the
    // dashboard draws in colour as it would there.
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '50', '-c', cwd, `env -u CI -u NO_COLOR -u FORCE_COLOR ${env} ${process.execPath} ${BIN} dash`);
    const screen = () => tmux('capture-pane', '-p', '-t', session);
    const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
    const painted = () => tmux('capture-pane', '-p', '-e', '-t', session);
    const waitFor = (re: RegExp) =>
      waitUntil(
        () => {
          const s = screen();
          return re.test(s) ? s : undefined;
        },
        {what: `the screen to match ${re}`, detail: screen, interval: 100},
      );
    // The selected row: reverse video, or (drawn without colour) a leading sign.
    const selection = () => hasInverse(painted()) || /^› /m.test(screen());
    const waitForSelection = (shown: boolean) =>
      waitUntil(() => selection() === shown, {what: shown ? 'a row to be selected' : 'no row to be selected', detail: screen, interval: 100});
    /** Show only what matches, select the newest, open its detail. */
    const open = async (filter: string, row: RegExp) => {
      keys('/');
      await waitFor(/filter: /);
      keys('-l', filter);
      keys('Enter');
      await waitFor(new RegExp(`/ filter \\(${filter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
      await waitFor(row);
      keys('Up');
      await waitForSelection(true);
      keys('Enter');
    };
    /** Close the detail, then clear the selection, then the filter: each key once the last one showed. */
    const back = async () => {
      keys('Escape');
      await waitFor(/q quit/);
      keys('Escape');
      await waitForSelection(false);
      keys('Escape');
      await waitUntil(() => !/\/ filter \(/.test(screen()), {what: 'the filter to be cleared', detail: screen, interval: 100});
    };
    try {
      await waitFor(/portico https:\/\/localhost:\d+/);
      // The dashboard turns capture on once it is subscribed: wait until a first request shows in it.
      await send('api.localhost', '/warm-up');
      await waitFor(/200 api\.localhost\/warm-up/);

      const created = await send('api.localhost', '/api/users', {
        method: 'POST',
        body: '{"name":"Ada","admin":false}',
        headers: {'content-type': 'application/json'},
      });
      expect(created.status).toBe(201);
      expect((await send('api.localhost', '/gz')).status).toBe(200);
      expect((await send('nothing.localhost', '/missing')).status).toBe(404);
      expect((await send('down.localhost', '/')).status).toBe(502);
      const ws = new WebSocket(`wss://127.0.0.1:${port}/socket`, {
        ca: readFileSync(path.join(t.home, 'ca.pem')),
        servername: 'api.localhost',
        headers: {host: `api.localhost:${port}`},
      } as WebSocket.ClientOptions);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => ws.send('hello socket'));
        ws.once('message', () => resolve());
        ws.once('error', reject);
      });
      ws.close();
      await waitFor(/ws\s*$|\bws\b/m);
      if (process.env.PORTICO_README_LIST) writeFileSync(process.env.PORTICO_README_LIST, screen());

      // The JSON POST: what was sent and what came back, pretty-printed, with timing.
      await open('method:POST', /201 api\.localhost\/api\/users/);
      let s = await waitFor(/Response body/);
      expect(s).toContain('POST api.localhost/api/users  201 Created');
      expect(s).toMatch(/Timing\s+wait for instance \d+ms · connect \d+ms · first byte \d+ms · total \d+ms/);
      expect(s).toContain('Request body (application/json, 28 B)');
      expect(s).toContain('"admin": false');
      expect(s).toMatch(/"id": 1/);
      if (process.env.PORTICO_README_CAPTURE) writeFileSync(process.env.PORTICO_README_CAPTURE, s);

      // y: a curl command that reproduces it, shown (and sent to the clipboard with OSC 52).
      keys('y');
      s = await waitFor(/curl --cacert/);
      expect(s.replace(/\n/g, '')).toContain(`https://api.localhost:${port}/api/users -H 'content-type: application/json'`);
      // --cacert: the pasted command works in a shell whose curl does not trust the portico CA.
      expect(s.replace(/\n/g, '')).toContain(`curl --cacert ${path.join(t.home, 'ca.pem')} -X POST`);
      // r: replayed as sent; the backend gets it again and it is the newest entry.
      keys('r');
      await waitFor(/Replayed #\d+: 201/);
      expect(posts).toBe(2);
      await back();

      // The gzip response, decoded for reading.
      await open('path:/gz', /200 api\.localhost\/gz/);
      s = await waitFor(/Response body/);
      expect(s).toContain('gzip, decoded');
      expect(s).toContain('compressed hello from the api');
      await back();

      // portico's own 404: the page's headers and bytes.
      await open('404', /404 nothing\.localhost\/missing/);
      s = await waitFor(/Response body/);
      expect(s).toContain('answered by portico');
      expect(s).toMatch(/content-length: \d{3,}/);
      expect(s).toContain('portico has no route for');
      await back();

      // The 502: which target, what failed.
      await open('status:502', /502 down\.localhost\//);
      s = await waitFor(/Response body/);
      expect(s).toMatch(/localhost:1 at \+\d+ms: ECONNREFUSED/);
      expect(s).toContain('Backend unavailable');
      await back();

      // The WebSocket: its messages both ways.
      await open('proto:ws', /api\.localhost\/socket/);
      s = await waitFor(/WebSocket messages/);
      expect(s).toMatch(/→ text \d+ B "hello socket"/);
      expect(s).toMatch(/← text \d+ B "echo hello socket"/);
      // The backend's 101: its response headers, the accept key among them.
      expect(s).toMatch(/Response headers\n( {2}.*\n)* {2}sec-websocket-accept: \S+/);
      await back();

      // w: the requests shown, as HAR 1.2 in the current directory.
      keys('w');
      await waitFor(/Wrote \d+ requests as HAR to/);
      const file = readdirSync(cwd).find((f) => f.endsWith('.har'));
      expect(file).toBeDefined();
      const har = JSON.parse(readFileSync(path.join(cwd, file!), 'utf8')) as unknown;
      expect(harValidator()(har).errors).toBe('No errors');
      // The status line is passing: the next key clears it.
      keys('x');
      await waitUntil(() => !/Wrote \d+ requests as HAR/.test(screen()), {what: 'the HAR status line to clear on the next key', detail: screen, interval: 100});

      keys('q');
      await waitUntil(() => spawnSync('tmux', ['-L', socket, 'has-session', '-t', session]).status !== 0, {what: 'the dashboard to quit on q', interval: 100});
    } finally {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
    }
    expect(existsSync(cwd)).toBe(true);
  });
});
