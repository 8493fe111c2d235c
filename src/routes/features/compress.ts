import {InputError} from '../../errors.js';
import type {FrontDoorFeature} from './feature.js';

/** `--compress`: gzip, br (and zstd) for clients that accept them (passes: src/frontdoor/compress.ts). */
export const compress: FrontDoorFeature<'compress'> = {
  key: 'compress',
  flags: [{name: 'compress', kind: 'boolean', description: 'compress responses with gzip, br (and zstd where Node has it)'}],
  schema: {type: 'boolean', description: 'Compress responses the client accepts: gzip, br (and zstd where Node has it).'},
  fromFlags: (flags) => (flags.compress ? true : undefined),
  fromProject: (value) => {
    if (typeof value !== 'boolean') throw new InputError(`\`compress\` must be true or false, got ${JSON.stringify(value)}.`);
    return value || undefined;
  },
  check: (stored) => (stored === true ? true : undefined),
  describe: () => ['compress'],
  exportLosses: (_value, target) =>
    target === 'gateway' || target === 'ingress'
      ? [{feature: 'compress', detail: 'not exported: Kubernetes routes do not compress; enable it in your controller or the app'}]
      : [],
};
