import {readFileSync} from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, daemonPort, tempHome} from '../helpers/cli.js';
import {waitFor} from '../helpers/wait.js';
import {daemonPid, fds} from './daemon-probe.js';

// `up --workers 2` under load: connections shared between the daemon and its worker, every socket
// released by whichever process held it, and the relayed routes' requests counted once.
let t: ReturnType<typeof tempHome>;
let server: http.Server;
let port: number;
let ca: Buffer;

beforeAll(async () => {
  t = tempHome();
  server = http.createServer({keepAliveTimeout: 120_000}, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const backend = String((server.address() as net.AddressInfo).port);
  await cli(['up', '--port', '0', '--workers', '2'], {env: t.env});
  await cli(['add', 'load.localhost', backend], {env: t.env});
  await cli(['add', 'limited.localhost', backend, '--rate-limit', '100000/s,burst=100000'], {env: t.env});
  port = await daemonPort(t.env);
  ca = readFileSync(path.join(t.home, 'ca.pem'));
});
afterAll(async () => {
  await t.cleanup();
  server.closeAllConnections();
  server.close();
});

function workerPid(): number {
  const daemon = daemonPid(t.home);
  const children = readFileSync(`/proc/${daemon}/task/${daemon}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const worker = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('worker.js'));
  if (!worker) throw new Error('no worker process');
  return worker;
}

/** One keep-alive TLS connection that has completed `requests` requests for `host`; resolves with the socket left open. */
function keepAlive(host: string, requests = 1): Promise<tls.TLSSocket> {
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

async function inBatches<T>(count: number, batch: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += batch) out.push(...(await Promise.all(Array.from({length: Math.min(batch, count - i)}, make))));
  return out;
}

describe('load shared by the daemon and a worker', () => {
  it('holds 2,000 keep-alive connections across both processes, then each one releases its sockets', async () => {
    const daemon = daemonPid(t.home);
    const worker = workerPid();
    const before = {daemon: fds(daemon), worker: fds(worker)};
    const sockets = await inBatches(2000, 200, () => keepAlive('load.localhost'));
    const during = {daemon: fds(daemon), worker: fds(worker)};
    // Round robin: each process holds half of them (a client connection is one fd).
    expect(during.daemon - before.daemon).toBeGreaterThanOrEqual(900);
    expect(during.worker - before.worker).toBeGreaterThanOrEqual(900);
    for (const s of sockets) s.destroy();
    await waitFor(() => fds(daemon) <= before.daemon + 5 && fds(worker) <= before.worker + 5, {
      what: 'both processes to close the connections they no longer need',
      detail: () => `daemon ${fds(daemon)} fds (${before.daemon} before), worker ${fds(worker)} (${before.worker} before)`,
    });
    console.log(`workers load: daemon fds ${before.daemon} -> ${during.daemon}, worker ${before.worker} -> ${during.worker}`);
  });

  it('counts each request of a relayed route once, however many connections carry them', async () => {
    const sockets = await inBatches(200, 50, () => keepAlive('limited.localhost', 10));
    for (const s of sockets) s.destroy();
    const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {routes: {host: string; targets: {requests: number}[]}[]};
    expect(ls.routes.find((r) => r.host === 'limited.localhost')?.targets[0]?.requests).toBe(2000);
  });
});
