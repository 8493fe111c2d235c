import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cli, tempHome} from '../../helpers/cli.js';

let t: ReturnType<typeof tempHome>;
beforeEach(() => {
  t = tempHome();
});
afterEach(async () => {
  await t.cleanup();
});

interface LsTarget {
  target: string;
  weight: number;
}

async function targets(): Promise<LsTarget[]> {
  const ls = await cli(['ls', '--json'], {env: t.env});
  return (JSON.parse(ls.stdout) as {routes: Array<{targets: LsTarget[]}>}).routes[0]!.targets;
}

describe('weights from the command line', () => {
  it('adds `9090=3 9091`, lists each weight after the documented keys, and changes one by adding it again', async () => {
    await cli(['up', '--port', '0'], {env: t.env});
    const add = await cli(['add', 'api.localhost', '9090=3', '9091'], {env: t.env});
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/-> {2}http:\/\/localhost:9090 \(weight 3\), http:\/\/localhost:9091 \(round-robin\)/);
    const listed = await targets();
    expect(listed.map((x) => Object.keys(x))).toEqual([
      ['target', 'healthy', 'active', 'requests', 'weight'],
      ['target', 'healthy', 'active', 'requests', 'weight'],
    ]);
    expect(listed.map((x) => x.weight)).toEqual([3, 1]);
    expect((await cli(['ls'], {env: t.env})).stdout).toMatch(/http:\/\/localhost:9090 {2}weight 3/);

    await cli(['add', 'api.localhost', '9090=0'], {env: t.env});
    expect((await targets()).map((x) => x.weight)).toEqual([0, 1]);
    expect((await cli(['ls'], {env: t.env})).stdout).toMatch(/http:\/\/localhost:9090 {2}drained \(weight 0\)/);
    const saved = JSON.parse(readFileSync(path.join(t.home, 'routes.json'), 'utf8')) as Array<{targets: unknown[]}>;
    expect(saved[0]!.targets).toEqual([{url: 'http://localhost:9090', weight: 0}, {url: 'http://localhost:9091'}]);
  });

  it('refuses a weight that is not a whole number from 0 to 1000, naming it, with exit 2', async () => {
    for (const bad of ['9090=x', '9090=1.5', '9090=1001', '9090=']) {
      const r = await cli(['add', 'api.localhost', bad], {env: t.env});
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toContain(`Invalid weight in \`${bad}\`: expected a whole number from 0 (drain) to 1000, like \`9090=3\`.`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
