import {Flags} from '@oclif/core';
import {FEATURES, type FeatureFlag} from '../routes/features/index.js';

/** oclif's form of one feature flag. */
function toOclif(flag: FeatureFlag) {
  const common = {description: flag.description, ...(flag.helpValue ? {helpValue: flag.helpValue} : {})};
  if (flag.kind === 'boolean') return Flags.boolean({description: flag.description});
  if (flag.kind === 'multiple') return Flags.string({...common, multiple: true});
  return Flags.string(common);
}

/** Every per-route option's flags, in FEATURES order, for `add`. */
export function featureFlags(): Record<string, ReturnType<typeof toOclif>> {
  return Object.fromEntries(FEATURES.flatMap((f) => f.flags).map((flag) => [flag.name, toOclif(flag)]));
}

/** `[--cache[=SIZE]] [--compress] [--request-header H]...`: the options part of `add`'s usage line. */
export function featureUsage(): string {
  return FEATURES.flatMap((f) => f.flags)
    .filter((flag) => !flag.name.endsWith('-burst'))
    .map((flag) => {
      if (flag.kind === 'boolean') return `[--${flag.name}]`;
      if (flag.bare !== undefined) return `[--${flag.name}[=${flag.helpValue}]]`;
      return `[--${flag.name} ${flag.helpValue}]${flag.kind === 'multiple' ? '...' : ''}`;
    })
    .join(' ');
}
