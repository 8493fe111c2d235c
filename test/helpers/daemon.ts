import {spawn, type ChildProcess} from 'node:child_process';
import {mkdirSync, readFileSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {ROOT} from './cli.js';

/** The built daemon entry that `portico up` spawns. */
export const DAEMON_ENTRY = path.join(ROOT, 'dist', 'src', 'daemon', 'entry.js');

/** Start the daemon entry directly (as `up` does, minus the CLI), for start-up races. */
export function spawnDaemonEntry(env: NodeJS.ProcessEnv, args: string[] = ['--port', '0']): ChildProcess {
  return spawn(process.execPath, [DAEMON_ENTRY, ...args], {env, stdio: 'ignore'});
}

/** True once nothing accepts on the unix socket or TCP port (a killed or stopping daemon's listeners close with it). */
export function refuses(target: string | number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = typeof target === 'number' ? net.connect(target, '127.0.0.1') : net.connect(target);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

/** Running, not merely a zombie: a child killed a moment ago still answers kill(pid, 0) until it is reaped. */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const {port} = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A stand-in daemon of another version on `home`'s control socket: answers /status and stops on
 * /shutdown, like a daemon left running by an older portico.
 */
export async function fakeOldDaemon(home: string, version: string): Promise<{shutdowns: () => number; close: () => Promise<void>}> {
  mkdirSync(home, {recursive: true, mode: 0o700});
  let shutdowns = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/shutdown') {
      shutdowns++;
      res.end(JSON.stringify({ok: true}));
      server.close();
      server.closeAllConnections();
      return;
    }
    const status = {version, pid: 999_999, port: 1, startedAt: Date.now(), ca: path.join(home, 'ca.pem'), routes: [], notices: []};
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(status));
  });
  await new Promise<void>((r) => server.listen(path.join(home, 'portico.sock'), r));
  return {
    shutdowns: () => shutdowns,
    close: () => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())),
  };
}
