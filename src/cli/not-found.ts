/**
 * oclif's `command_not_found` hook: one sentence naming what was typed and the nearest command, exit
 * 127 (the shell's "command not found"). Never a prompt: @oclif/plugin-not-found asks "Did you mean
 * ...?" on a terminal and names nothing without one (CI, pipes), so portico answers the same everywhere.
 */
import type {Hook} from '@oclif/core';
import {ExitCode} from '../errors.js';
import {speakAs} from '../trust/hint.js';

/** Levenshtein distance, for a dozen short command names. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The command nearest to `typed`, if one is near enough to be a plausible typo. */
export function nearestCommand(typed: string, commands: readonly string[]): string | undefined {
  const ranked = commands.map((id) => ({id, d: Math.min(editDistance(typed, id), id.startsWith(typed) ? 1 : Infinity)})).sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= Math.max(2, Math.floor(best.id.length / 2)) ? best.id : undefined;
}

const hook: Hook<'command_not_found'> = async function (options) {
  const ids = options.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '));
  const typed = options.id.replaceAll(':', ' ');
  const nearest = nearestCommand(typed, ids);
  process.stderr.write(
    speakAs(
      `portico: \`${typed}\` is not a portico command.${nearest ? ` Did you mean \`portico ${nearest}\`?` : ''}\nSee the commands with \`portico --help\`.\n`,
    ),
  );
  this.exit(ExitCode.commandNotFound);
};

export default hook;
