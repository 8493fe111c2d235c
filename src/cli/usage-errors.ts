import {Errors} from '@oclif/core';
import {ExitCode, UserError} from '../errors.js';
import {nearestFlag} from '../text.js';
import {porticoCommand} from '../trust/hint.js';

/** oclif's parser errors, matched by class name: they are not all exported from @oclif/core. */
type ParseError = Error & {flags?: string[]; args?: Array<{name: string}>};

// oclif wraps its messages in ANSI and `›` gutters; a sentence needs neither.
const plain = (text: string) => text.replace(/\u001B\[[0-9;]*m/g, '');

/**
 * Turn an oclif parse error into portico's voice: one sentence naming the input and the value, a hint
 * pointing at `--help`, exit 2. Anything else is returned unchanged (undefined).
 */
export function usageError(error: unknown, command: string, usage: string | undefined, parsing: boolean, flags: readonly string[] = []): UserError | undefined {
  // Flag value errors (`Parsing --port ... Expected an integer`) are plain CLIErrors: what tells them
  // apart from a command's own errors is that they come while parsing.
  if (!(error instanceof Errors.CLIError) || !('parse' in error || parsing)) return undefined;
  const e = error as ParseError;
  const help = {exit: ExitCode.usage, hint: usageHint(command, usage)};
  const message = plain(e.message).replace(/\nSee more help with --help$/, '');
  switch (e.constructor.name) {
    case 'NonExistentFlagsError': {
      const unknown = e.flags ?? [];
      // `--prot 8443`: the flag the user most likely meant, as for a mistyped command.
      const typed = unknown.length === 1 ? unknown[0]!.replace(/^-+/, '').replace(/=.*$/, '') : undefined;
      const nearest = typed ? nearestFlag(typed, flags) : undefined;
      return new UserError(`Unknown flag ${list(unknown)} for \`portico ${command}\`.${nearest ? ` Did you mean \`--${nearest}\`?` : ''}`, help);
    }
    case 'RequiredArgsError':
      return new UserError(`Missing ${(e.args ?? []).map((a) => a.name.toUpperCase()).join(' and ')} for \`portico ${command}\`.`, help);
    case 'UnexpectedArgsError':
      return new UserError(`Unexpected argument ${list(((e.args ?? []) as unknown[]).map(String))} for \`portico ${command}\`.`, help);
    case 'FlagInvalidOptionError': {
      const m = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/s.exec(message);
      if (m) return new UserError(`Invalid --${m[1]} \`${m[2]}\`: expected one of ${m[3]!.replace(/\s+/g, ' ')}.`, help);
      break;
    }
    case 'FailedFlagValidationError': {
      // "The following error occurred:\n  Parsing --port \n\tExpected an integer ... but received: 99999"
      break;
    }
  }
  // "Parsing --port \n\tExpected an integer less than or equal to 65535 but received: 99999"
  const parsingFlag = /Parsing (--[\w-]+)\s+(.*?)(?: but received: (.*))?$/s.exec(message);
  if (parsingFlag) {
    return new UserError(`Invalid ${parsingFlag[1]} \`${(parsingFlag[3] ?? '').trim()}\`: ${lower(parsingFlag[2]!.replace(/\s+/g, ' ').trim())}.`, help);
  }
  const noValue = /^Flag (--[\w-]+) expects a value/.exec(message);
  if (noValue) return new UserError(`Missing the value of ${noValue[1]} for \`portico ${command}\`.`, help);
  return new UserError(`${message.replace(/\s+/g, ' ').trim().replace(/[^.]$/, '$&.')}`, help);
}

const list = (items: readonly string[]) => items.map((i) => `\`${i}\``).join(', ');
const lower = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** What usageLine reads of a command (its class, or oclif's manifest entry). */
export interface UsageSource {
  usage?: string;
  args?: Record<string, {required?: boolean}>;
  flags?: Record<string, {type: string; hidden?: boolean; helpValue?: string | string[]}>;
  enableJsonFlag?: boolean;
}

/**
 * `Usage: portico add ROUTE TARGET...  (more: \`portico add --help\`)`. The usage line is not a quoted
 * command, so speakAs would leave it: it is written in the invoked form here.
 */
export function usageHint(command: string, usage: string | undefined): string {
  return `Usage: ${porticoCommand()} ${usage ?? command}  (more: \`portico ${command} --help\`)`;
}

/** A command's usage line: its own, or its arguments and flags as oclif's help names them (`up [--port <value>] ...`). */
export function usageLine(command: UsageSource, id: string | undefined): string | undefined {
  if (typeof command.usage === 'string') return command.usage;
  if (!id) return undefined;
  const args = Object.entries(command.args ?? {}).map(([name, arg]) => (arg.required ? name.toUpperCase() : `[${name.toUpperCase()}]`));
  const flags = Object.entries(command.flags ?? {})
    .filter(([name, flag]) => !flag.hidden && !(name === 'json' && command.enableJsonFlag))
    .map(([name, flag]) => `[--${name}${flag.type === 'option' ? ` <${typeof flag.helpValue === 'string' ? flag.helpValue : 'value'}>` : ''}]`);
  return [id.replaceAll(':', ' '), ...args, ...flags, ...(command.enableJsonFlag ? ['[--json]'] : [])].join(' ');
}
