// A clone runs as it is: README's run command is the first thing a newcomer types after `git clone`,
// so the CLI installs its dependencies and compiles itself when they are missing or older than the
// sources (README "The two commands"). A packed install has no `src/` and never comes here.
import {spawnSync} from 'node:child_process';
import {closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync} from 'node:fs';
import path from 'node:path';

/** Newest modification time (ms) of a file or of any file under a directory; 0 when absent. */
function newest(file) {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const name of readdirSync(file)) max = Math.max(max, newest(path.join(file, name)));
  return max;
}

const mtime = (file) => newest(file);

/** What a clone lacks before it can run: dependencies, a build, both, or nothing. */
export function missingSteps(root) {
  const steps = [];
  const installed = mtime(path.join(root, 'node_modules', '.package-lock.json'));
  if (!installed || installed < Math.max(mtime(path.join(root, 'package.json')), mtime(path.join(root, 'package-lock.json')))) steps.push('install');
  // oclif.manifest.json is the build's last output (see package.json "build").
  const built = mtime(path.join(root, 'oclif.manifest.json'));
  const sources = Math.max(...['src', 'commands', 'package.json', 'tsconfig.json'].map((f) => mtime(path.join(root, f))));
  if (steps.length > 0 || !built || !existsSync(path.join(root, 'dist', 'src', 'cli', 'fast.js')) || built < sources) steps.push('build');
  return steps;
}

const COMMANDS = {
  install: ['install', '--no-audit', '--no-fund'],
  build: ['run', 'build'],
};

/** One process sets the clone up; others started meanwhile (a test suite, two terminals) wait for it. */
function lock(file) {
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, {force: true});
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (!holderAlive(file)) rmSync(file, {force: true});
      // A synchronous pause: nothing else runs in this process before the CLI can start.
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

function holderAlive(file) {
  try {
    process.kill(Number(readFileSync(file, 'utf8')), 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Installs and builds what the clone at `root` lacks, with progress on stderr; false if a step failed.
 * `only` limits it to some steps (`npm test` installs first and builds itself).
 */
export function setUp(root, only = ['install', 'build']) {
  const needed = () => missingSteps(root).filter((step) => only.includes(step));
  if (needed().length === 0) return true;
  const release = lock(path.join(root, '.portico-setup.lock'));
  try {
    // Checked again under the lock: another process may have just done it.
    for (const step of needed()) {
      const args = COMMANDS[step];
      process.stderr.write(`portico: ${step === 'install' ? 'installing dependencies' : 'building'} for this clone (npm ${args.join(' ')})…\n`);
      // stdout to stderr too: the command's own output (say `ls --json`) stays clean.
      const result = spawnSync('npm', args, {cwd: root, stdio: ['ignore', 2, 2], shell: process.platform === 'win32'});
      if (result.status !== 0) {
        process.stderr.write(`portico: \`npm ${args.join(' ')}\` failed in ${root}: fix what it printed above, then run portico again.\n`);
        return false;
      }
    }
    process.stderr.write('portico: ready.\n');
    return true;
  } finally {
    release();
  }
}
