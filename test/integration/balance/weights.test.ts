import https from 'node:https';
import {describe, expect, it} from 'vitest';
import type {Route} from '../../../src/routes/types.js';
import {proxyKit, request, type Backend} from '../../helpers/harness.js';
import {gate, waitFor} from '../../helpers/wait.js';

const kit = proxyKit();

/** A backend answering its own name. */
function named(name: string): Promise<Backend> {
  return kit.backend((req, res) => {
    req.resume();
    res.end(name);
  });
}

function weighted(backends: ReadonlyArray<{b: Backend; weight?: number}>, strategy: Route['strategy'] = 'round-robin'): Route {
  return {
    host: 'api.localhost',
    path: '/',
    targets: backends.map(({b, weight}) => ({url: `http://127.0.0.1:${b.port}`, ...(weight === undefined ? {} : {weight})})),
    strategy,
    stripPrefix: false,
  };
}

/** The longest run of one answer in a row. */
function longestRun(answers: readonly string[]): number {
  let longest = 0;
  let run = 0;
  answers.forEach((a, i) => {
    run = i > 0 && answers[i - 1] === a ? run + 1 : 1;
    longest = Math.max(longest, run);
  });
  return longest;
}

describe('weighted instances', () => {
  it('splits 4,000 requests 3:1 over `9090=3 9091=1`, interleaved with no run of more than 3 to one instance', async () => {
    const [a, b] = [await named('a'), await named('b')];
    const h = await kit.start([
      weighted([
        {b: a, weight: 3},
        {b, weight: 1},
      ]),
    ]);
    const agent = new https.Agent({keepAlive: true, ca: h.ca, maxSockets: 8});
    kit.closeAfter(() => agent.destroy());
    const answers: string[] = [];
    // Eight at a time, each batch recorded in the order the proxy picked (the backends count arrivals).
    for (let i = 0; i < 4000; i += 8) {
      const replies = await Promise.all(Array.from({length: 8}, (_, j) => request(h, 'api.localhost', `/r${i + j}`, {agent})));
      for (const r of replies) expect(r.status).toBe(200);
      answers.push(...replies.map((r) => r.body));
    }
    expect(Math.abs(a.hits - 3000)).toBeLessThanOrEqual(60);
    expect(Math.abs(b.hits - 1000)).toBeLessThanOrEqual(20);
    expect(longestRun(answers)).toBeLessThanOrEqual(3);
    const [ta, tb] = h.proxy.status()[0]!.targets;
    expect([ta!.weight, tb!.weight]).toEqual([3, 1]);
  });

  it('takes a weight change at once: the next requests follow the new split', async () => {
    const [a, b] = [await named('a'), await named('b')];
    const h = await kit.start([weighted([{b: a}, {b}])]);
    for (let i = 0; i < 10; i++) await request(h, 'api.localhost', `/even${i}`);
    expect([a.hits, b.hits]).toEqual([5, 5]);
    h.proxy.setRoutes([
      weighted([
        {b: a, weight: 9},
        {b, weight: 1},
      ]),
    ]);
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) answers.push((await request(h, 'api.localhost', `/nine${i}`)).body);
    expect(answers.filter((x) => x === 'a')).toHaveLength(18);
    expect(answers.filter((x) => x === 'b')).toHaveLength(2);
  });

  it('drains an instance set to weight 0: its request in flight finishes, and no new one reaches it', async () => {
    const release = gate();
    const slow = await kit.backend((req, res) => {
      req.resume();
      void release.promise.then(() => res.end('slow'));
    });
    const other = await named('other');
    const h = await kit.start([weighted([{b: slow}, {b: other}])]);
    const held = request(h, 'api.localhost', '/first');
    await waitFor(() => slow.hits === 1, {what: 'the first request to reach the slow instance'});
    h.proxy.setRoutes([weighted([{b: slow, weight: 0}, {b: other}])]);
    for (let i = 0; i < 10; i++) expect((await request(h, 'api.localhost', `/after${i}`)).body).toBe('other');
    expect(slow.hits).toBe(1);
    expect(h.proxy.status()[0]!.targets[0]).toMatchObject({weight: 0, active: 1});
    release.open();
    expect(await held).toMatchObject({status: 200, body: 'slow'});
  });
});
