#!/usr/bin/env node
// Entry point for both `portico` and `proxy`. oclif reads package.json#oclif for the commands;
// `ls` and a bare `up` take a fast path that skips oclif's start-up (see src/cli/fast.ts).
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

// A clone (it has the TypeScript sources; a packed install does not) installs and builds itself on
// first run and after a pull: see bin/setup.js. PORTICO_NO_SETUP=1 (the test suite, which builds
// first) runs the build as it is, so editing a source while tests run never rebuilds under them.
const root = new URL('..', import.meta.url);
if (process.env.PORTICO_NO_SETUP !== '1' && existsSync(new URL('src', root)) && existsSync(new URL('tsconfig.json', root))) {
  const {setUp} = await import('./setup.js');
  if (!setUp(fileURLToPath(root))) process.exit(1);
}
// NO_COLOR (https://no-color.org): chalk 5 does not read it, so portico does, for its own output
// and the dashboard's (ink draws with the same chalk).
if (process.env.NO_COLOR) (await import('chalk')).default.level = 0;
const {runFast} = await import('../dist/src/cli/fast.js');
if (!(await runFast(process.argv.slice(2)))) {
  const {execute} = await import('@oclif/core');
  await execute({dir: import.meta.url});
}
