import {Chalk, type ChalkInstance} from 'chalk';

const COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'] as const;

/** How `portico run` prints; colour only when the stream is a terminal (chalk's own detection). */
export interface Printer {
  /** `web#2 │ ` before each line of instance 2's output. */
  prefix: (index: number) => string;
  chalk: ChalkInstance;
}

export function printer(name: string, color: boolean): Printer {
  const chalk = new Chalk({level: color ? 1 : 0});
  return {chalk, prefix: (index) => `${chalk[COLORS[(index - 1) % COLORS.length]!](`${name}#${index}`)} ${chalk.dim('│')} `};
}

/** Restart delay after `attempt` crashes in a row: 1 s, 2 s, 4 s ... capped at 30 s. */
export function restartDelay(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}

/** A line of a JavaScript stack trace (`    at fn (file:1:2)`). */
const FRAME = /^\s+at\s/;

/**
 * The crash report: status and the last lines the instance printed. A stack trace was just printed
 * live above it: the report quotes the error up to its first frame, so the stack shows once.
 */
export function crashReport(label: string, code: number, tail: readonly string[], lines = 10): string {
  const firstFrame = tail.findIndex((l) => FRAME.test(l));
  const last = (firstFrame === -1 ? tail : tail.slice(0, firstFrame)).slice(-lines);
  const status = code > 128 && code < 160 ? `status ${code} (signal ${code - 128})` : `status ${code}`;
  return `portico: ${label} exited with ${status}.${last.length ? `\nlast output:\n${last.map((l) => `  ${l}`).join('\n')}` : ''}`;
}
