import {readFileSync} from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import {cli, daemonPort, tempHome} from '../helpers/cli.js';

/** `count` results of `make`, `batch` at a time (a bounded number of handshakes in flight). */
export async function inBatches<T>(count: number, batch: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += batch) out.push(...(await Promise.all(Array.from({length: Math.min(batch, count - i)}, make))));
  return out;
}

/**
 * One keep-alive HTTP/1.1 connection through portico on 127.0.0.1:`port` that has completed
 * `requests` requests for `host` (a backend answering `ok`); resolves with the socket left open.
 */
export function keepAlive(port: number, ca: Buffer, host: string, requests = 1): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    let left = requests;
    const socket = tls.connect({host: '127.0.0.1', port, servername: host, ca, ALPNProtocols: ['http/1.1']}, () =>
      socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
    );
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (!text.endsWith('ok')) return;
      if (!text.startsWith('HTTP/1.1 200')) return reject(new Error(text.split('\r\n')[0]));
      text = '';
      if (--left === 0) resolve(socket);
      else socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    });
    socket.on('error', reject);
  });
}

/** A daemon in a temp home (`up --port 0` plus `upArgs`) in front of one keep-alive backend answering `ok`. */
export interface LoadSetup {
  t: ReturnType<typeof tempHome>;
  server: http.Server;
  /** The proxy's port. */
  port: number;
  ca: Buffer;
  close(): Promise<void>;
}

/** Start it, adding a route to the backend for each `[host, ...flags]`; `attach` may add to the backend (a WebSocket server). */
export async function loadSetup(upArgs: string[], routes: string[][], attach?: (server: http.Server) => void): Promise<LoadSetup> {
  const t = tempHome();
  const server = http.createServer({keepAliveTimeout: 120_000}, (_req, res) => res.end('ok'));
  attach?.(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const backend = String((server.address() as net.AddressInfo).port);
  await cli(['up', '--port', '0', ...upArgs], {env: t.env});
  for (const [host, ...flags] of routes) await cli(['add', host!, backend, ...flags], {env: t.env});
  return {
    t,
    server,
    port: await daemonPort(t.env),
    ca: readFileSync(path.join(t.home, 'ca.pem')),
    async close() {
      await t.cleanup();
      server.closeAllConnections();
      server.close();
    },
  };
}
