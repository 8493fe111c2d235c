/** The exit codes portico ends with; scripts may rely on them (README "Commands"). */
export const ExitCode = {
  /** Something failed that is not the input's fault: a store refused, the daemon is not running. */
  failure: 1,
  /** Bad input: an unknown flag, a bad value, name or config. */
  usage: 2,
  /** Another daemon holds the control socket, or is starting or stopping: look for it again. */
  busy: 3,
  /** What was asked for is not there (a request that was not captured, or was evicted). */
  notFound: 4,
  /** No such command, as a shell says. */
  commandNotFound: 127,
} as const;

/**
 * A mistake the user can fix: bad input, a port in use, an unwritable directory.
 * Commands print `message` (and `hint` on the next line) and exit with `exit`; never a stack trace.
 * Anything that is not a UserError is a bug and keeps its stack.
 */
export class UserError extends Error {
  /** Process exit code. Default ExitCode.failure. */
  readonly exit: number;
  /** One line telling the user what to do about it. */
  readonly hint?: string;

  constructor(message: string, options: {exit?: number; hint?: string; cause?: unknown} = {}) {
    super(message, {cause: options.cause});
    this.name = 'UserError';
    this.exit = options.exit ?? ExitCode.failure;
    this.hint = options.hint;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The `code` of a Node system error (`EADDRINUSE`, `ENOENT`, ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as {code: unknown}).code) : undefined;
}

/**
 * Bad input the user typed or wrote: a flag or its value, an argument, a name, a target, a config
 * file. Exit 2 by default, as README promises for every bad flag, value or config.
 */
export class InputError extends UserError {
  constructor(message: string, options: {exit?: number; hint?: string; cause?: unknown} = {}) {
    super(message, {...options, exit: options.exit ?? ExitCode.usage});
    this.name = 'InputError';
  }
}
