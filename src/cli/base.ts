import {Command} from '@oclif/core';
import {isUserError, type UserError} from '../errors.js';
import {speakAs} from '../trust/hint.js';
import {usageError, usageLine} from './usage-errors.js';

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
    const user: UserError | undefined = isUserError(error)
      ? error
      : usageError(
          error,
          this.id?.replaceAll(':', ' ') ?? '',
          usageLine({usage: ctor.usage as string | undefined, args: ctor.args, flags: ctor.flags, enableJsonFlag: ctor.enableJsonFlag}, this.id),
          !this.parsed,
          [...Object.keys(ctor.flags ?? {}), ...(ctor.enableJsonFlag ? ['json'] : [])],
        );
    if (user) {
      const message = speakAs(user.message);
      const hint = user.hint === undefined ? undefined : speakAs(user.hint);
      if (this.jsonRequested()) {
        process.stdout.write(`${JSON.stringify({error: {message, ...(hint ? {hint} : {}), exit: user.exit}}, null, 2)}\n`);
      } else {
        this.logToStderr(`portico: ${hint ? `${message}\n${hint}` : message}`);
      }
      this.exit(user.exit);
    }
    return super.catch(error);
  }

  /** Every line a command prints speaks the form the user invoked (`npx portico …`, `proxy …`): see speakAs. */
  public override log(message = '', ...args: unknown[]): void {
    super.log(speakAs(message), ...args);
  }

  public override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(speakAs(message), ...args);
  }

  /** `--json` was asked for on a command that offers it; read from argv, since a parse error comes before flags. */
  protected jsonRequested(): boolean {
    const ctor = this.constructor as typeof BaseCommand;
    return (
      (ctor.enableJsonFlag === true || 'json' in (ctor.flags ?? {})) &&
      this.argv.includes('--json') &&
      !this.argv.slice(0, this.argv.indexOf('--json')).includes('--')
    );
  }
}
