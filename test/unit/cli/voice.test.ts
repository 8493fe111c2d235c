import {describe, expect, it} from 'vitest';
import {nearestCommand} from '../../../src/cli/not-found.js';
import {splitAtDoubleDash} from '../../../src/run/run.js';
import {speakAs} from '../../../src/trust/hint.js';
import {nearestFlag} from '../../../src/text.js';

const COMMANDS = ['add', 'dash', 'doctor', 'down', 'hosts clean', 'hosts sync', 'logs', 'ls', 'rm', 'run', 'trust', 'untrust', 'up'];

describe('an unknown command', () => {
  it('names the nearest command when it is a plausible typo', () => {
    expect(nearestCommand('lss', COMMANDS)).toBe('ls');
    expect(nearestCommand('doctr', COMMANDS)).toBe('doctor');
    expect(nearestCommand('hosts snyc', COMMANDS)).toBe('hosts sync');
    expect(nearestCommand('untrus', COMMANDS)).toBe('untrust');
  });

  it('names none when nothing is close', () => {
    expect(nearestCommand('kubernetes', COMMANDS)).toBeUndefined();
  });
});

describe('an unknown flag', () => {
  const UP = ['port', 'foreground', 'timeout', 'workers', 'json'];
  const ADD = ['strategy', 'health', 'strip-prefix', 'replace', 'join', 'auth', 'timeout', 'cache', 'compress', 'fail', 'drop', 'delay', 'max-body'];
  it('names the flag one edit away (a swap of two letters is one), or a longer name two away', () => {
    expect(nearestFlag('prot', UP)).toBe('port');
    expect(nearestFlag('worker', UP)).toBe('workers');
    expect(nearestFlag('jsn', UP)).toBe('json');
    expect(nearestFlag('stratgy', ADD)).toBe('strategy');
    expect(nearestFlag('strp-prefx', ADD)).toBe('strip-prefix');
  });

  it('names none when the nearest is a different word', () => {
    expect(nearestFlag('fast', ADD)).toBeUndefined();
    expect(nearestFlag('bogus', ADD)).toBeUndefined();
  });
});

describe('portico run arguments', () => {
  it('gives oclif only what comes before `--`', () => {
    expect(splitAtDoubleDash(['--name', 'web', '--', 'node', 's.js', '--name', 'x', '--'])).toEqual({
      own: ['--name', 'web'],
      command: ['node', 's.js', '--name', 'x', '--'],
    });
    expect(splitAtDoubleDash(['-i', '2', 'npm', 'start'])).toEqual({own: ['-i', '2', 'npm', 'start'], command: []});
  });
});

describe('advice in the form the user invoked', () => {
  it('rewrites every quoted portico command, after sudo and && too, and leaves prose alone', () => {
    const text = 'portico is serving on 8443. (or `sudo portico up`), then `portico down && portico up`; the portico CA.';
    expect(speakAs(text, 'npx portico')).toBe(
      'portico is serving on 8443. (or `sudo npx portico up`), then `npx portico down && npx portico up`; the portico CA.',
    );
    expect(speakAs('`npx portico trust`', 'npx portico')).toBe('`npx portico trust`');
    expect(speakAs('`portico ls`', 'portico')).toBe('`portico ls`');
  });
});
