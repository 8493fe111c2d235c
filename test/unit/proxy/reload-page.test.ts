import vm from 'node:vm';
import {describe, expect, it} from 'vitest';
import {badGatewayPage} from '../../../src/proxy/pages.js';

/** Run the 502 page's own script against a backend that answers `statuses` in turn to its HEADs. */
async function runPageScript(statuses: number[]): Promise<{heads: number; reloaded: boolean}> {
  const html = badGatewayPage('app.localhost', [{target: 'http://localhost:5173', error: 'ECONNREFUSED'}]);
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
  let heads = 0;
  let reloaded = false;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const context = {
    location: {href: 'https://app.localhost/page', reload: () => ((reloaded = true), done())},
    // The page waits a second between HEADs; here the next one goes at once.
    setTimeout: (fn: () => void) => queueMicrotask(fn),
    fetch: async (url: string, init: {method: string}) => {
      expect(url).toBe('https://app.localhost/page');
      expect(init.method).toBe('HEAD');
      const status = statuses[heads++];
      if (status === undefined) {
        done();
        return new Promise(() => undefined);
      }
      if (status === 0) throw new TypeError('network error');
      return {status};
    },
  };
  vm.runInNewContext(script, context);
  await finished;
  return {heads, reloaded};
}

describe('the 502 page', () => {
  it('keeps polling while the backend is down and reloads once it answers', async () => {
    expect(await runPageScript([502, 502, 0, 200])).toEqual({heads: 4, reloaded: true});
  });

  it('does not reload while every answer is a 502', async () => {
    expect(await runPageScript([502, 502, 502])).toEqual({heads: 4, reloaded: false});
  });

  it('loads nothing from elsewhere and falls back to a meta refresh without script', () => {
    const html = badGatewayPage('app.localhost', []);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).toMatch(/<noscript><meta http-equiv="refresh" content="2"><\/noscript>/);
  });
});
