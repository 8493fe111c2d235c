import {DEFAULT_CACHE_BYTES} from '../routes/options.js';

/** A size with a unit (`64MB`, `512kb`): never a target, so `--cache 64MB` may take it as its value. */
const SIZE_WITH_UNIT = /^\d+(\.\d+)?\s*[kmg]b?$/i;

/**
 * oclif has no flags with an optional value, but `--cache` and `--cors` are one: bare, they mean
 * the default (64MB, any origin). Rewrite them as `--cache=64MB` / `--cors=*` before oclif parses;
 * `--cache=SIZE`, `--cache SIZE-WITH-UNIT` and `--cors=ORIGINS` pass through.
 */
export function expandOptionalValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === '--cache') {
      const next = argv[i + 1];
      if (next !== undefined && SIZE_WITH_UNIT.test(next)) {
        out.push(`--cache=${next}`);
        i++;
      } else out.push(`--cache=${DEFAULT_CACHE_BYTES}`);
    } else if (arg === '--cors') out.push('--cors=*');
    else out.push(arg);
  }
  return out;
}
