import {FEATURES} from '../routes/features/index.js';

/**
 * oclif has no flags with an optional value, but some feature flags are (`--cache`, `--cors`: those
 * with a `bare` value in src/routes/features). Bare, they mean the default: rewrite them as
 * `--cache=67108864` / `--cors=*` before oclif parses. `--cache=SIZE`, `--cache SIZE-WITH-UNIT` (a
 * following argument matching the flag's `valuePattern`, never a target) and `--cors=ORIGINS` pass through.
 */
export function expandOptionalValues(argv: readonly string[]): string[] {
  const optional = new Map(
    FEATURES.flatMap((f) => f.flags)
      .filter((flag) => flag.bare !== undefined)
      .map((flag) => [`--${flag.name}`, flag]),
  );
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const flag = optional.get(arg);
    if (!flag) {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && flag.valuePattern?.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(`${arg}=${flag.bare}`);
  }
  return out;
}
