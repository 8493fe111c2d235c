import net from 'node:net';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {proxyKit, request, route} from '../../helpers/harness.js';
import {waitFor} from '../../helpers/wait.js';

const kit = proxyKit();
// Only the probe timer is faked: the proxy's own timeouts, sockets and TLS stay real.
afterEach(() => {
  vi.useRealTimers();
});

/** A backend that tells probes (a connection closed without sending a byte) from requests. */
async function countingBackend(): Promise<{port: number; accepted: () => number; probes: () => number; url: string}> {
  let accepted = 0;
  let probes = 0;
  const server = net.createServer((socket) => {
    accepted++;
    let spoke = false;
    socket.on('data', () => {
      spoke = true;
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    });
    socket.on('close', () => {
      if (!spoke) probes++;
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kit.closeAfter(() => new Promise((r) => server.close(r)));
  const {port} = server.address() as net.AddressInfo;
  return {port, url: `http://127.0.0.1:${port}`, accepted: () => accepted, probes: () => probes};
}

/**
 * Connections are accepted in the order they were made: once our own connection is accepted, any
 * probe started before it has been accepted too. So "no probe so far" is observed without a wait.
 */
async function settle(backend: {port: number; accepted: () => number}): Promise<void> {
  const before = backend.accepted();
  // It says something, so the backend does not count it as a probe.
  const own = net.connect(backend.port, '127.0.0.1', () => own.write('\r\n'));
  own.on('error', () => undefined);
  own.resume(); // read the answer, so the backend's end closes it
  await waitFor(() => backend.accepted() > before, {what: 'the backend to accept our own connection'});
}

describe('health probes follow traffic', () => {
  it('a thousand routes without traffic run no timer and make no connection to their backend', async () => {
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']});
    const backend = await countingBackend();
    const routes = Array.from({length: 1000}, (_, i) => route(`r${i}.localhost`, [backend.url]));
    await kit.start(routes);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    await settle(backend);
    expect(backend.accepted()).toBe(1); // ours
  });

  it('a route with two instances is probed as traffic starts and every interval while it lasts, then no more', async () => {
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']});
    const a = await countingBackend();
    const b = await countingBackend();
    const idle = await countingBackend();
    const h = await kit.start([route('api.localhost', [a.url, b.url]), route('idle.localhost', [idle.url])]);
    const probes = () => a.probes() + b.probes();

    expect((await request(h, 'api.localhost', '/')).status).toBe(200);
    await waitFor(() => probes() === 2, {what: 'a probe of each instance as traffic starts'});
    for (let round = 1; round <= 3; round++) {
      expect((await request(h, 'api.localhost', '/')).status).toBe(200);
      vi.advanceTimersByTime(2000);
      await waitFor(() => probes() === 2 + 2 * round, {what: `interval ${round}'s probe of each instance`});
    }

    // One interval with no request: the timer stops, and no later interval probes.
    vi.advanceTimersByTime(2000);
    vi.advanceTimersByTime(2000);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    await settle(a);
    await settle(b);
    expect(probes()).toBe(8);
    await settle(idle);
    expect(idle.accepted()).toBe(1); // ours: the other route had no traffic
  });

  it('keeps probing while a request is still in flight, even with no new one', async () => {
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']});
    const backend = await countingBackend();
    let held: net.Socket | undefined;
    const slow = net.createServer((socket) => {
      socket.once('data', () => (held = socket));
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    kit.closeAfter(() => new Promise((r) => slow.close(r)));
    const h = await kit.start([
      route('api.localhost', [backend.url, `http://127.0.0.1:${(slow.address() as net.AddressInfo).port}`], {strategy: 'least-conn'}),
    ]);
    // least-conn with nothing in flight: the first request may go to either; hold the one to `slow`.
    const pending = [request(h, 'api.localhost', '/'), request(h, 'api.localhost', '/')];
    await waitFor(() => held, {what: 'a request held by the slow instance'});
    await waitFor(() => backend.probes() >= 1, {what: 'the first probe'});
    // The first interval had a request begin; the next ones have only the one still in flight.
    for (let round = 1; round <= 4; round++) {
      const before = backend.probes();
      vi.advanceTimersByTime(2000);
      await waitFor(() => backend.probes() === before + 1, {what: `interval ${round}'s probe while a request is in flight`});
    }
    held!.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    await Promise.all(pending);
  });

  it('shows an idle route whose target stopped as down once status is asked with a probe, without traffic', async () => {
    const up = await countingBackend();
    const h = await kit.start([route('idle.localhost', [up.url])]);
    const server = await new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    const deadUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    await new Promise((r) => server.close(r));
    h.proxy.setRoutes([route('idle.localhost', [up.url]), route('dead.localhost', [deadUrl])]);

    await h.proxy.probeIdle();
    const byHost = new Map(h.proxy.status().map((r) => [r.host, r.targets[0]!]));
    expect(byHost.get('dead.localhost')).toMatchObject({healthy: false, lastError: 'ECONNREFUSED'});
    expect(byHost.get('idle.localhost')!.healthy).toBe(true);
  });
});
