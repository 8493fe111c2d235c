import {DEFAULT_CACHE_BYTES, formatBytes, parseSize} from '../options.js';
import {badStored, inRange, isObject, stringOf, type FrontDoorFeature} from './feature.js';

/** `--cache[=SIZE]`: a shared HTTP cache per route (passes: src/frontdoor/cache.ts). */
export const cache: FrontDoorFeature<'cache'> = {
  key: 'cache',
  flags: [
    {
      name: 'cache',
      kind: 'string',
      helpValue: 'SIZE',
      bare: String(DEFAULT_CACHE_BYTES),
      valuePattern: /^\d+(\.\d+)?\s*[kmg]b?$/i,
      description: 'cache responses (RFC 9111, in memory), up to SIZE (default 64MB)',
    },
  ],
  schema: {
    description: 'Cache responses (RFC 9111 shared-cache rules, in memory): true for 64MB, or a size like "256MB".',
    oneOf: [{type: 'boolean'}, {type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG]?[bB]?)\\s*$'}],
  },
  fromFlags: ({cache: text}) => (text === undefined ? undefined : {maxBytes: text === true || text === '' ? DEFAULT_CACHE_BYTES : parseSize(text as string)}),
  fromProject: (value) => (value === false ? undefined : {maxBytes: value === true ? DEFAULT_CACHE_BYTES : parseSize(stringOf('cache', value), 'cache')}),
  check: (stored) => {
    if (!isObject(stored) || !inRange(stored.maxBytes, 1024)) throw badStored('cache', stored);
    return {maxBytes: stored.maxBytes};
  },
  describe: ({maxBytes}) => [`cache ${formatBytes(maxBytes)}`],
  exportLosses: (_value, target) => {
    if (target === 'nginx') return [];
    return [
      {
        feature: 'cache',
        detail:
          target === 'caddy'
            ? 'not exported: Caddy caches only with a plugin (cache-handler)'
            : 'not exported: Kubernetes routes do not cache; put a cache in front or in the app',
      },
    ];
  },
};
