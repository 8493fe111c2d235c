import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {BIN, backend, cli, get, spawnCli, tempHome} from '../../helpers/cli.js';
import {exited, waitFor as waitUntil} from '../../helpers/wait.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

describe('portico up --foreground', () => {
  it('serves from this terminal, takes route changes, and stops on Ctrl-C keeping the routes', async () => {
    const api = await backend('api');
    const fg = spawnCli(['up', '--foreground', '--port', '0'], t.env);
    let out = '';
    fg.stdout!.on('data', (d: Buffer) => (out += d));
    try {
      await waitUntil(() => out.includes('Press Ctrl-C to stop.') || fg.exitCode !== null, {what: 'the foreground daemon to say it is ready'});
      expect(out).toContain('Press Ctrl-C to stop.');
      const add = await cli(['add', 'api.localhost', String(api.port)], {env: t.env});
      expect(add.stdout).not.toMatch(/Started the portico daemon/);
      const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {daemon: {pid: number; port: number}};
      expect(ls.daemon.pid).toBe(fg.pid);
      expect((await get(ls.daemon.port, 'api.localhost', '/fg', t.home)).body).toBe('api GET /fg');
      fg.kill('SIGINT');
      expect(await exited(fg, {what: 'the foreground daemon to stop on Ctrl-C'})).toBe(0);
      expect(existsSync(path.join(t.home, 'portico.sock'))).toBe(false);
      expect(JSON.parse(readFileSync(path.join(t.home, 'routes.json'), 'utf8'))).toHaveLength(1);
    } finally {
      fg.kill('SIGKILL');
      await api.close();
    }
  });

  it('refuses to start beside a background daemon, saying how to stop it', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    const fg = await cli(['up', '--foreground', '--port', '0'], {env: t.env});
    expect(fg.code).not.toBe(0);
    expect(fg.stderr).toMatch(/Another portico daemon is already running\.\nStop it with `portico down` first\./);
  });
});

describe.skipIf(!hasTmux)('portico up --foreground in a terminal', () => {
  it('shows the dashboard, and quitting it with q stops the proxy with status 0', async () => {
    const api = await backend('api');
    const session = `portico-fg-${process.pid}`;
    const exitFile = path.join(t.home, '..', 'fg-exit');
    const tmux = (...args: string[]) => execFileSync('tmux', args).toString();
    const env = Object.entries({PORTICO_HOME: t.home, TERM: 'xterm-256color'})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', `env ${env} ${process.execPath} ${BIN} up --foreground --port 0; echo $? > ${exitFile}`);
    try {
      const screen = () => tmux('capture-pane', '-p', '-t', session);
      const waitFor = (done: () => boolean, what: string) => waitUntil(done, {what, interval: 100, detail: screen});
      await waitFor(() => /portico https:\/\/localhost:\d+/.test(screen()), 'the dashboard header');
      await cli(['add', 'api.localhost', String(api.port)], {env: t.env});
      const {port} = (JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {daemon: {port: number}}).daemon;
      await get(port, 'api.localhost', '/on-screen', t.home);
      await waitFor(() => /200 api\.localhost\/on-screen/.test(screen()), 'the request in the dashboard');
      // While the dashboard owns the terminal, the daemon's own lines go to daemon.log.
      expect(readFileSync(path.join(t.home, 'daemon.log'), 'utf8')).toMatch(/added api\.localhost\//);
      tmux('send-keys', '-t', session, 'q');
      await waitFor(() => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '', 'the exit status');
      expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
      expect(existsSync(path.join(t.home, 'portico.sock'))).toBe(false);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
      await api.close();
    }
  });
});
