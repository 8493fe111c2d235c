import {Errors} from '@oclif/core';
import {ExitCode, UserError} from '../errors.js';

/** oclif's parser errors, matched by class name: they are not all exported from @oclif/core. */
type ParseError = Error & {flags?: string[]; args?: Array<{name: string}>};

// oclif wraps its messages in ANSI and `›` gutters; a sentence needs neither.
const plain = (text: string) => text.replace(/\u001B\[[0-9;]*m/g, '');

/**
 * Turn an oclif parse error into portico's voice: one sentence naming the input and the value, a hint
 * pointing at `--help`, exit 2. Anything else is returned unchanged (undefined).
 */
export function usageError(error: unknown, command: string, usage: string | undefined, parsing: boolean): UserError | undefined {
  // Flag value errors (`Parsing --port ... Expected an integer`) are plain CLIErrors: what tells them
  // apart from a command's own errors is that they come while parsing.
  if (!(error instanceof Errors.CLIError) || !('parse' in error || parsing)) return undefined;
  const e = error as ParseError;
  const help = {exit: ExitCode.usage, hint: `Usage: portico ${usage ?? command}  (more: \`portico ${command} --help\`)`};
  const message = plain(e.message).replace(/\nSee more help with --help$/, '');
  switch (e.constructor.name) {
    case 'NonExistentFlagsError':
      return new UserError(`Unknown flag ${list(e.flags ?? [])} for \`portico ${command}\`.`, help);
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
