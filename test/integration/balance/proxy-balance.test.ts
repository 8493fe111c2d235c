import https from 'node:https';
import {afterEach, describe, expect, it} from 'vitest';
import {request, route, startBackend, startHarness, type Backend, type Harness} from '../../helpers/harness.js';
import {gate, waitFor} from '../../helpers/wait.js';

let h: Harness | undefined;
const backends: Backend[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  await Promise.all(backends.splice(0).map((b) => b.close().catch(() => undefined)));
});

async function three(handler?: Parameters<typeof startBackend>[1]): Promise<Backend[]> {
  const list = await Promise.all(['a', 'b', 'c'].map((n) => startBackend(n, handler)));
  backends.push(...list);
  return list;
}

async function hitMany(n: number, host = 'api.localhost', agent?: https.Agent): Promise<string[]> {
  const statuses: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await request(h!, host, `/r${i}`, {agent});
    statuses.push(`${r.status} ${r.body}`);
  }
  return statuses;
}

describe('several instances behind one route', () => {
  it('splits 300 requests about evenly, survives a killed instance with no error, and takes it back when it returns', async () => {
    const [a, b, c] = await three();
    h = await startHarness([route('api.localhost', [`http://127.0.0.1:${a!.port}`, `http://127.0.0.1:${b!.port}`, `http://127.0.0.1:${c!.port}`])]);
    const agent = new https.Agent({keepAlive: true, ca: h.ca});
    await hitMany(300, 'api.localhost', agent);
    for (const x of [a!, b!, c!]) expect(Math.abs(x.hits - 100)).toBeLessThanOrEqual(3);

    await b!.close();
    const after = await hitMany(300, 'api.localhost', agent);
    expect(after.filter((s) => !s.startsWith('200 '))).toEqual([]);
    await waitFor(() => h!.proxy.status()[0]!.targets[1]!.healthy === false, {what: '`ls` to show the killed instance down'});

    await b!.restart();
    const hitsBefore = b!.hits;
    await waitFor(
      async () => {
        expect((await request(h!, 'api.localhost', '/probe', {agent})).status).toBe(200);
        return b!.hits > hitsBefore;
      },
      {what: 'the restarted instance to get traffic again'},
    );
    agent.destroy();
  });

  it('keeps a browser that holds the sticky cookie on one instance, and moves it when that instance dies', async () => {
    const list = await three();
    h = await startHarness([
      route(
        'api.localhost',
        list.map((x) => x.port),
        {strategy: 'sticky'},
      ),
    ]);
    const first = await request(h, 'api.localhost', '/');
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly/);
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) answers.add((await request(h, 'api.localhost', '/', {headers: {cookie}})).body);
    expect([...answers]).toEqual([first.body]);

    await list.find((x) => x.name === first.body)!.close();
    const moved = await request(h, 'api.localhost', '/', {headers: {cookie}});
    expect(moved.status).toBe(200);
    expect(moved.body).not.toBe(first.body);
    expect(String(moved.headers['set-cookie'])).toMatch(/^portico_/);
  });

  it('sends new requests to the instance with fewer in flight with least-conn, so a slow one gets no more', async () => {
    // The slow instance holds every request until the test releases it: its in-flight count only
    // grows, whatever the machine's speed, so least-conn must send everything after it to the fast one.
    const release = gate();
    const fast = await startBackend('fast');
    const slow = await startBackend('slow', (req, res) => {
      req.resume();
      void release.promise.then(() => res.end('slow'));
    });
    backends.push(fast, slow);
    h = await startHarness([route('api.localhost', [fast.port, slow.port], {strategy: 'least-conn'})]);
    const held: Array<Promise<unknown>> = [];
    try {
      for (let i = 0; i < 20; i++) {
        const before = fast.hits + slow.hits;
        const reply = request(h, 'api.localhost', `/r${i}`);
        await waitFor(() => fast.hits + slow.hits > before, {what: `request ${i} to reach an instance`});
        // A fast answer completes before the next request; a held one stays in flight.
        if (slow.hits > held.length) held.push(reply);
        else expect((await reply).body).toBe('fast');
      }
      // At most the first request, on a tie at zero, reached the slow instance.
      expect(slow.hits).toBeLessThanOrEqual(1);
      expect(fast.hits).toBeGreaterThanOrEqual(19);
    } finally {
      release.open();
      await Promise.all(held);
    }
  });

  it('retries a POST on the next instance when the first refuses the connection', async () => {
    const live = await startBackend('live');
    const dead = await startBackend('dead');
    backends.push(live);
    await dead.close();
    h = await startHarness([route('api.localhost', [`http://127.0.0.1:${dead.port}`, `http://127.0.0.1:${live.port}`], {strategy: 'first'})]);
    const r = await request(h, 'api.localhost', '/submit', {method: 'POST', body: 'payload-1'});
    expect(r.status).toBe(200);
    expect(r.body).toBe('live');
    expect(live.bodies).toEqual(['payload-1']);
  });

  it('does not replay a POST whose body reached an instance that then reset', async () => {
    const resetter = await startBackend('resetter', (req) => {
      req.on('data', () => req.socket.destroy());
    });
    const other = await startBackend('other');
    backends.push(resetter, other);
    h = await startHarness([route('api.localhost', [resetter.port, other.port], {strategy: 'first'})]);
    const r = await request(h, 'api.localhost', '/pay', {method: 'POST', body: 'charge-card'});
    expect(r.status).toBe(502);
    expect(other.bodies).toEqual([]);
    expect(r.body).toContain(`http://localhost:${resetter.port}`);
  });

  it('lists every instance with its last error when all are down', async () => {
    const [a, b] = await three();
    await a!.close();
    await b!.close();
    h = await startHarness([route('api.localhost', [`http://127.0.0.1:${a!.port}`, `http://127.0.0.1:${b!.port}`])]);
    const r = await request(h, 'api.localhost', '/');
    expect(r.status).toBe(502);
    expect(r.body).toContain(`http://127.0.0.1:${a!.port}</code>: ECONNREFUSED`);
    expect(r.body).toContain(`http://127.0.0.1:${b!.port}</code>: ECONNREFUSED`);
    expect(r.body).toMatch(/start your dev server on port \d+/);
  });
});
