import {Command} from '@oclif/core';
import {isUserError} from '../errors.js';

/**
 * Every portico command extends this: a UserError becomes one clear line (plus its hint) and its
 * exit code, never a stack trace. Anything else is a bug and keeps oclif's default handling.
 */
export abstract class BaseCommand extends Command {
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (isUserError(error)) {
      const text = error.hint ? `${error.message}\n${error.hint}` : error.message;
      this.logToStderr(`portico: ${text}`);
      this.exit(error.exit);
    }
    return super.catch(error);
  }
}
