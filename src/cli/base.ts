import {Command} from '@oclif/core';
import {isUserError, type UserError} from '../errors.js';
import {usageError} from './usage-errors.js';

/**
 * Every portico command extends this. A UserError, and every oclif parse error (unknown flag, missing
 * argument, bad option), becomes one clear line plus its hint and its exit code, never a stack trace or
 * a usage dump; with `--json` it is `{"error": {...}}` on stdout instead. Anything else is a bug and
 * keeps oclif's default handling.
 */
export abstract class BaseCommand extends Command {
  // `--json` is offered where a command opts in (static enableJsonFlag = true).
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    const ctor = this.constructor as typeof BaseCommand;
    const user: UserError | undefined = isUserError(error) ? error : usageError(error, this.id?.replaceAll(':', ' ') ?? '', ctor.usage as string | undefined, !this.parsed);
    if (user) {
      if (this.jsonRequested()) {
        process.stdout.write(`${JSON.stringify({error: {message: user.message, ...(user.hint ? {hint: user.hint} : {}), exit: user.exit}}, null, 2)}\n`);
      } else {
        this.logToStderr(`portico: ${user.hint ? `${user.message}\n${user.hint}` : user.message}`);
      }
      this.exit(user.exit);
    }
    return super.catch(error);
  }

  /** `--json` was asked for on a command that offers it; read from argv, since a parse error comes before flags. */
  protected jsonRequested(): boolean {
    const ctor = this.constructor as typeof BaseCommand;
    return (ctor.enableJsonFlag === true || 'json' in (ctor.flags ?? {})) && this.argv.includes('--json') && !this.argv.slice(0, this.argv.indexOf('--json')).includes('--');
  }
}
