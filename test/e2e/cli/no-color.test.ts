import {spawnSync} from 'node:child_process';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BIN, cli, tempHome} from '../../helpers/cli.js';
import {TIMEOUT} from '../../helpers/wait.js';

// `script` gives the command a real terminal, where portico draws in colour unless told not to.
const hasScript = spawnSync('script', ['--version']).status === 0;
let t: ReturnType<typeof tempHome>;
beforeAll(async () => {
  t = tempHome();
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', 'paint.localhost', '1'], {env: t.env});
});
afterAll(async () => {
  await t.cleanup();
});

function inTerminal(args: string[], env: NodeJS.ProcessEnv): string {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    env: {...env, TERM: 'xterm-256color'},
    encoding: 'utf8',
    timeout: TIMEOUT.daemon,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

const sgr = /\x1b\[[0-9;]*m/;

describe.skipIf(!hasScript)('NO_COLOR', () => {
  it('draws in colour in a terminal, and not at all with NO_COLOR set', () => {
    const env = {...t.env};
    delete env.CI;
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    expect(inTerminal(['ls'], env)).toMatch(sgr);
    const plain = inTerminal(['ls'], {...env, NO_COLOR: '1'});
    expect(plain).toContain('https://paint.localhost');
    expect(plain).not.toMatch(sgr);
  });
});
