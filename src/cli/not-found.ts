/**
 * oclif's `command_not_found` hook: one sentence naming what was typed and the nearest command, exit
 * 127 (the shell's "command not found"); a known command followed by an argument it does not take is
 * bad input (exit 2); `portico help [COMMAND]` shows the help and `portico -v` the version. Never a
 * prompt: @oclif/plugin-not-found asks "Did you mean ...?" on a terminal and names nothing without
 * one (CI, pipes), so portico answers the same everywhere.
 */
import type {Hook} from '@oclif/core';
import {ExitCode} from '../errors.js';
import {speakAs} from '../trust/hint.js';
import {usageHint, usageLine} from './usage-errors.js';
import {nearestCommand} from '../text.js';

export {nearestCommand} from '../text.js';

/** Words people type for a command portico names otherwise. */
const SYNONYMS: Record<string, string> = {
  remove: 'rm',
  delete: 'rm',
  del: 'rm',
  list: 'ls',
  routes: 'ls',
  start: 'up',
  stop: 'down',
  log: 'logs',
  dashboard: 'dash',
  share: 'lan on',
};

/** What to say about a command line oclif could not match: words it took for a command id. */
export function notFoundMessage(
  words: readonly string[],
  commands: ReadonlyArray<{id: string; usage?: string}>,
): {message: string; hint: string; exit: number} {
  const ids = commands.map((c) => c.id);
  // `portico ls extra`: a real command followed by an argument it does not take.
  for (let k = words.length - 1; k >= 1; k--) {
    const command = commands.find((c) => c.id === words.slice(0, k).join(' '));
    if (!command) continue;
    const extra = words.slice(k).filter((w) => !w.startsWith('-'));
    if (extra.length === 0) continue;
    return {
      message: `Unexpected argument${extra.length > 1 ? 's' : ''} \`${extra.join(' ')}\` for \`portico ${command.id}\`.`,
      hint: usageHint(command.id, command.usage),
      exit: ExitCode.usage,
    };
  }
  // `portico ad api.localhost 9090`: the command is the first word (or two, for `domain add`).
  const typed = words.slice(0, ids.some((id) => id.startsWith(`${words[0]} `)) ? 2 : 1).join(' ');
  const nearest = SYNONYMS[words[0]!] ?? nearestCommand(typed, ids);
  return {
    message: `\`${typed}\` is not a portico command.${nearest ? ` Did you mean \`portico ${nearest}\`?` : ''}`,
    hint: 'See the commands with `portico --help`.',
    exit: ExitCode.commandNotFound,
  };
}

const hook: Hook<'command_not_found'> = async function (options) {
  const {config} = options;
  const words = [...options.id.split(':'), ...(options.argv ?? [])].filter((w) => w !== '');
  if (words[0] === 'help') {
    // `portico help` and `portico help add`: what `--help` shows.
    const {loadHelpClass} = await import('@oclif/core');
    const Help = await loadHelpClass(config);
    await new Help(config).showHelp(words.slice(1));
    return;
  }
  if (words.length === 1 && (words[0] === '-v' || words[0] === 'version')) {
    process.stdout.write(`${config.userAgent}\n`);
    return;
  }
  const commands = config.commands
    .filter((c) => !c.hidden)
    // A command's own usage line already starts with its name (`add ROUTE TARGET...`).
    .map((c) => ({id: c.id.replaceAll(':', ' '), usage: usageLine({...c, usage: typeof c.usage === 'string' ? c.usage : undefined}, c.id)}));
  const {message, hint, exit} = notFoundMessage(words, commands);
  // `--json` asked for a JSON answer: the error is one too, as every command's is (README "Commands").
  if (words.includes('--json')) process.stdout.write(`${JSON.stringify({error: {message: speakAs(message), hint: speakAs(hint), exit}}, null, 2)}\n`);
  else process.stderr.write(speakAs(`portico: ${message}\n${hint}\n`));
  this.exit(exit);
};

export default hook;
