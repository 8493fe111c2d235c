import {describe, expect, it} from 'vitest';
import {CacheRegistry} from '../../../src/frontdoor/cache-registry.js';
import {cacheFeature} from '../../../src/frontdoor/cache.js';
import {backendResponse, fakeEntry, fakeExchange, runThrough, type FakeExchange} from '../../helpers/exchange.js';

/** An exchange whose client can leave: `leave()` runs what was handed to whenDone, as the pipeline does. */
function leavingExchange(entry: ReturnType<typeof fakeEntry>): FakeExchange & {leave(): void} {
  const done: Array<() => void> = [];
  const ex = fakeExchange({url: '/items', entry}) as FakeExchange & {leave(): void};
  ex.whenDone = (fn) => void done.push(fn);
  ex.leave = () => {
    ex.aborted = true;
    for (const fn of done.splice(0)) fn();
  };
  return ex;
}

describe('collapsed cache misses', () => {
  it('go on to the backend as soon as the client they waited for leaves, not after the collapse limit', async () => {
    // A limit far beyond the test's own: only the leader leaving can release the waiter.
    const feature = cacheFeature({registry: new CacheRegistry(), collapseMs: 600_000});
    const entry = fakeEntry({cache: {maxBytes: 1024 * 1024}});
    const leader = leavingExchange(entry);
    expect(await feature.request!(entry)!(leader)).toBe('next');
    let backendCalls = 0;
    const waiter = runThrough(feature, entry, fakeExchange({url: '/items', entry}), () => {
      backendCalls++;
      return backendResponse(200, {'cache-control': 'max-age=60', 'content-length': '2'}, 'ok');
    });
    leader.leave();
    const {response, body, backendCalled} = await waiter;
    expect(backendCalled).toBe(true);
    expect(backendCalls).toBe(1);
    expect(response.status).toBe(200);
    expect(body.toString()).toBe('ok');
  });
});
