import {InputError} from '../../errors.js';
import {parseRateLimit} from '../options.js';
import {badStored, inRange, isObject, stringOf, type FrontDoorFeature} from './feature.js';

/** `--rate-limit 20/s[,burst=40]`: a token bucket per client (passes: src/frontdoor/ratelimit.ts). */
export const rateLimit: FrontDoorFeature<'rateLimit'> = {
  key: 'rateLimit',
  flags: [
    {name: 'rate-limit', kind: 'string', helpValue: 'N/s', description: 'limit each client to N requests a second (429 over it): 20/s, 20/s,burst=40'},
    {
      name: 'rate-limit-burst',
      kind: 'string',
      helpValue: 'N',
      description: "requests a client may send at once before --rate-limit applies (default: one second's worth)",
    },
  ],
  schema: {
    type: 'string',
    pattern: '^\\s*\\d+(\\.\\d+)?\\s*/\\s*(s|sec|second|m|min|minute)\\s*(,\\s*burst\\s*=\\s*\\d+\\s*)?$',
    description: 'Token bucket per client address: "20/s" or "20/s,burst=40"; over it a 429 with Retry-After.',
  },
  fromFlags: (flags) => {
    const text = flags['rate-limit'] as string | undefined;
    const burst = flags['rate-limit-burst'] as string | undefined;
    if (text !== undefined) return parseRateLimit(text, burst);
    if (burst !== undefined) throw new InputError('--rate-limit-burst needs --rate-limit, e.g. `--rate-limit 20/s --rate-limit-burst 40`.');
    return undefined;
  },
  fromProject: (value) => parseRateLimit(stringOf('rateLimit', value), undefined, 'rateLimit'),
  check: (stored) => {
    if (!isObject(stored) || !inRange(stored.perSecond, Number.MIN_VALUE) || !Number.isInteger(stored.burst) || !inRange(stored.burst, 1))
      throw badStored('rateLimit', stored);
    return {perSecond: stored.perSecond, burst: stored.burst};
  },
  describe: ({perSecond, burst}) => [`rate-limit ${+perSecond.toFixed(3)}/s burst ${burst}`],
  exportLosses: ({perSecond}, target) => {
    if (target === 'nginx') return [];
    return [
      {
        feature: `rate limit ${perSecond}/s`,
        detail:
          target === 'caddy'
            ? 'not exported: Caddy limits rates only with a plugin (caddy-ratelimit)'
            : 'not exported: set a rate limit in your Gateway or Ingress controller',
      },
    ];
  },
};
