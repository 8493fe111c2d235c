import http from 'node:http';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {Pool} from '../../../src/balance/pool.js';
import {parseTarget} from '../../../src/routes/parse.js';
import type {HealthEvent} from '../../../src/traffic/event.js';
import {Transport} from '../../../src/transport/index.js';
import {waitFor} from '../../helpers/wait.js';

const closers: Array<() => void> = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

/** The probes' connections, as the daemon hands them to the proxy. */
function transport(): Transport {
  const t = new Transport();
  closers.push(() => t.close());
  return t;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('active health checks', () => {
  it('mark a closed port down, and the same port up again on the very next probe once it listens', async () => {
    const port = await freePort();
    const events: HealthEvent[] = [];
    // Probes are driven by hand (the timer is tested below): "within one interval" means the first
    // probe after the server listens brings it back, with no cool-off or second confirmation.
    const pool = new Pool({
      route: 'x.localhost',
      targets: [{target: parseTarget(`127.0.0.1:${port}`)}],
      strategy: 'round-robin',
      transport: transport(),
      probeIntervalMs: 3_600_000,
      onHealth: (e) => events.push(e),
    });
    closers.push(() => pool.close());
    await pool.probeAll();
    expect(pool.snapshot()[0]!.healthy).toBe(false);
    expect(pool.snapshot()[0]!.lastError).toBe('ECONNREFUSED');
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    closers.push(() => server.close());
    await pool.probeAll();
    expect(pool.snapshot()[0]!.healthy).toBe(true);
    expect(events.map((e) => e.healthy)).toEqual([false, true]);
  });

  it('use GET on the health path, treating 5xx as down and 2xx as up', async () => {
    let status = 500;
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.host}`);
      res.writeHead(status).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const pool = new Pool({
      route: 'x.localhost',
      targets: [{target: parseTarget(`127.0.0.1:${port}`)}],
      strategy: 'round-robin',
      transport: transport(),
      health: '/healthz',
      probeIntervalMs: 100,
    });
    closers.push(() => pool.close());
    // A request in flight (begun, not ended) keeps the route in use, so the timer probes every interval.
    pool.begin(pool.upstreams[0]!);
    await waitFor(() => pool.snapshot()[0]!.healthy === false, {what: "the timer's probe to mark the target down"});
    expect(pool.snapshot()[0]!.lastError).toBe('HTTP 500');
    status = 204;
    await waitFor(() => pool.snapshot()[0]!.healthy, {what: "the timer's probe to mark the target up"});
    expect(seen[0]).toBe(`/healthz 127.0.0.1:${port}`);
  });

  it('find a dev server that listens on ::1 only', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '::1', r));
    closers.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const pool = new Pool({route: 'x.localhost', targets: [{target: parseTarget(port)}], strategy: 'round-robin', transport: transport()});
    await pool.probeAll();
    expect(pool.snapshot()[0]!.healthy).toBe(true);
  });
});
