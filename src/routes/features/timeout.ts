import {formatDuration, parseDuration} from '../duration.js';
import {badStored, inRange, type FrontDoorFeature} from './feature.js';

/** `--timeout 2m`: how long this route waits for response headers (the engine reads it; no pass). */
export const timeout: FrontDoorFeature<'timeout'> = {
  key: 'timeout',
  flags: [
    {
      name: 'timeout',
      kind: 'string',
      helpValue: 'DURATION',
      description: "wait this long for response headers after the request body was sent: 90s, 500ms, 2m. Default: the daemon's, 30s",
    },
  ],
  schema: {
    type: 'string',
    pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)\\s*$',
    description: 'How long to wait for the response headers after the request body was sent: "90s", "500ms", "2m". Default: the daemon\'s (30s).',
  },
  fromFlags: (flags) => (flags.timeout === undefined ? undefined : parseDuration(flags.timeout as string, '--timeout')),
  fromProject: (value) => parseDuration(typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value), '`timeout`'),
  check: (stored) => {
    if (!inRange(stored, 1)) throw badStored('timeout', stored);
    return stored;
  },
  describe: (ms) => [`timeout ${formatDuration(ms)}`],
  exportLosses: (ms, target) =>
    target === 'ingress' ? [{feature: `timeout ${ms} ms`, detail: "not exported: Ingress has no timeout field; use your controller's annotation"}] : [],
};
