import {readFileSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli} from '../helpers/cli.js';
import {waitFor} from '../helpers/wait.js';
import {inBatches, keepAlive, loadSetup, type LoadSetup} from './clients.js';
import {daemonPid, fds} from './daemon-probe.js';

// `up --workers 2` under load: connections shared between the daemon and its worker, every socket
// released by whichever process held it, and the relayed routes' requests counted once.
let setup: LoadSetup;
let t: LoadSetup['t'];
let port: number;
let ca: Buffer;

beforeAll(async () => {
  setup = await loadSetup(['--workers', '2'], [['load.localhost'], ['limited.localhost', '--rate-limit', '100000/s,burst=100000']]);
  ({t, port, ca} = setup);
});
afterAll(async () => {
  await setup?.close();
});

function workerPid(): number {
  const daemon = daemonPid(t.home);
  const children = readFileSync(`/proc/${daemon}/task/${daemon}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const worker = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('worker.js'));
  if (!worker) throw new Error('no worker process');
  return worker;
}

describe('load shared by the daemon and a worker', () => {
  it('holds 2,000 keep-alive connections across both processes, then each one releases its sockets', async () => {
    const daemon = daemonPid(t.home);
    const worker = workerPid();
    const before = {daemon: fds(daemon), worker: fds(worker)};
    const sockets = await inBatches(2000, 200, () => keepAlive(port, ca, 'load.localhost'));
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
    const sockets = await inBatches(200, 50, () => keepAlive(port, ca, 'limited.localhost', 10));
    for (const s of sockets) s.destroy();
    const ls = JSON.parse((await cli(['ls', '--json'], {env: t.env})).stdout) as {routes: {host: string; targets: {requests: number}[]}[]};
    expect(ls.routes.find((r) => r.host === 'limited.localhost')?.targets[0]?.requests).toBe(2000);
  });
});
