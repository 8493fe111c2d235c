import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BIN, cli, get, spawnCli, type tempHome, daemonServing} from '../../helpers/cli.js';
import {waitFor as waitUntil} from '../../helpers/wait.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
let t: ReturnType<typeof tempHome>;
let port: number;

let served: Awaited<ReturnType<typeof daemonServing>>;
beforeAll(async () => {
  served = await daemonServing('app.localhost', 'app');
  ({t, port} = served);
});
afterAll(async () => {
  await served.close();
});

describe.skipIf(!hasTmux)('portico dash in a real terminal', () => {
  it('shows requests as they happen, filters with /, and quits with q and status 0', async () => {
    const session = `portico-dash-${process.pid}`;
    const exitFile = path.join(t.home, '..', 'dash-exit');
    const tmux = (...args: string[]) => execFileSync('tmux', args).toString();
    const env = Object.entries({PORTICO_HOME: t.home, TERM: 'xterm-256color'})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', `env ${env} ${process.execPath} ${BIN} dash; echo $? > ${exitFile}`);
    try {
      const screen = () => tmux('capture-pane', '-p', '-t', session);
      const waitFor = (re: RegExp) => waitUntil(() => re.test(screen()), {what: `the screen to match ${re}`, interval: 100, detail: screen});
      await waitFor(/portico https:\/\/localhost:\d+/);
      await get(port, 'app.localhost', '/dash-one', t.home);
      await get(port, 'app.localhost', '/dash-two', t.home, {method: 'POST', body: 'x'});
      await get(port, 'nothing.localhost', '/missing', t.home);
      await waitFor(/GET\s+200 app\.localhost\/dash-one/);
      await waitFor(/POST\s+200 app\.localhost\/dash-two/);
      await waitFor(/404 nothing\.localhost\/missing/);
      expect(screen()).toMatch(/● localhost:\d+/);

      // Each key waits for the screen to show the one before, so no two arrive in one read.
      tmux('send-keys', '-t', session, '/');
      await waitFor(/filter: /);
      tmux('send-keys', '-t', session, '-l', 'two');
      await waitFor(/filter: two/);
      tmux('send-keys', '-t', session, 'Enter');
      await waitFor(/\/ filter \(two\)/);
      expect(screen()).toMatch(/app\.localhost\/dash-two/);
      expect(screen()).not.toMatch(/app\.localhost\/dash-one/);

      tmux('send-keys', '-t', session, 'q');
      await waitUntil(() => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '', {what: 'dash to exit and its status to be written'});
      expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  });
});

describe.skipIf(!hasTmux)('the dashboard header', () => {
  it('says the CA is trusted once `trust` ran in another terminal, without restarting the dashboard', async () => {
    const session = `portico-dash-trust-${process.pid}`;
    const userHome = path.join(t.home, '..', 'user');
    mkdirSync(userHome, {recursive: true});
    const tmux = (...args: string[]) => execFileSync('tmux', args).toString();
    const vars = {PORTICO_HOME: t.home, HOME: userHome, TERM: 'xterm-256color', NODE_EXTRA_CA_CERTS: ''};
    const env = Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', `env ${env} ${process.execPath} ${BIN} dash`);
    try {
      const screen = () => tmux('capture-pane', '-p', '-t', session);
      const waitFor = (re: RegExp) => waitUntil(() => re.test(screen()), {what: `the screen to match ${re}`, interval: 100, detail: screen});
      await waitFor(/CA untrusted/);
      // Only this user's browser store (NSS in the temp HOME): never the machine's.
      const trust = await cli(['trust', '--stores', 'nss'], {env: {...t.env, HOME: userHome}});
      expect(trust.code, trust.stdout + trust.stderr).toBe(0);
      await waitFor(/CA trusted/);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  });
});

describe.skipIf(!hasTmux)('portico dash in an 80-column terminal', () => {
  it('keeps the route URL and the target whole (name and port), and folds the routes panel from the detail with t', async () => {
    const session = `portico-dash-80-${process.pid}`;
    const socket = `portico-dash-80-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args]).toString();
    const env = Object.entries({PORTICO_HOME: t.home, TERM: 'xterm-256color'})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '30', `env -u CI -u NO_COLOR -u FORCE_COLOR ${env} ${process.execPath} ${BIN} dash`);
    try {
      const screen = () => tmux('capture-pane', '-p', '-t', session);
      const waitFor = (re: RegExp) => waitUntil(() => re.test(screen()), {what: `the screen to match ${re}`, interval: 100, detail: screen});
      await waitFor(/portico https:\/\/localhost:\d+/);
      const long = '/a/rather/long/path/that/cannot/fit/beside/everything/else/at/eighty/columns';
      await waitUntil(async () => (await get(port, 'app.localhost', long, t.home)) && /app\.localhost\/a\/rather/.test(screen()), {
        what: 'the request to show',
        interval: 100,
        detail: screen,
      });
      const s = screen();
      expect(s).toContain(`https://app.localhost:${port}/ `);
      expect(s).toMatch(new RegExp(`app\\.localhost/a/rather\\S*\\s+\\d+ms localhost:${served.app.port} h1`));

      // The detail with the routes panel folded: more room for the request.
      tmux('send-keys', '-t', session, 'Up');
      await waitFor(/enter detail/);
      tmux('send-keys', '-t', session, 'Enter');
      await waitFor(/esc back/);
      expect(screen()).toContain(`https://app.localhost:${port}/`);
      tmux('send-keys', '-t', session, 't');
      await waitFor(/1 route · 1 instances · t shows the routes/);
      expect(screen()).toMatch(/esc back/);
    } finally {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
    }
  });
});

describe('portico dash without a terminal', () => {
  it('prints one plain line per request, with no escape codes', async () => {
    const child = spawnCli(['dash'], t.env);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    // dash subscribes a moment after it starts: knock until it prints the request.
    await waitUntil(async () => (await get(port, 'app.localhost', '/plain-line', t.home)) && out.includes('/plain-line'), {
      what: 'dash to print /plain-line',
      interval: 100,
      detail: () => out,
    });
    child.kill('SIGINT');
    expect(out).toMatch(/\d\d:\d\d:\d\d\.\d{3} h1 200 GET app\.localhost\/plain-line \d+ms \d+B -> http:\/\/localhost:\d+/);
    expect(out).not.toMatch(/\u001B\[/);
  });
});
