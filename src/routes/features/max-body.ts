import {formatBytes, parseSize} from '../options.js';
import {badStored, inRange, stringOf, type FrontDoorFeature} from './feature.js';

/** `--max-body SIZE`: refuse request bodies over SIZE with 413 (passes: src/frontdoor/max-body.ts). */
export const maxBody: FrontDoorFeature<'maxBody'> = {
  key: 'maxBody',
  flags: [{name: 'max-body', kind: 'string', helpValue: 'SIZE', description: 'answer 413 to request bodies larger than SIZE: 10MB, 512KB'}],
  schema: {
    type: 'string',
    pattern: '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG]?[bB]?)\\s*$',
    description: 'Refuse request bodies larger than this with 413 Content Too Large: "10MB", "512KB".',
  },
  fromFlags: (flags) => (flags['max-body'] === undefined ? undefined : parseSize(flags['max-body'] as string, '--max-body')),
  fromProject: (value) => parseSize(stringOf('maxBody', value), 'maxBody'),
  check: (stored) => {
    if (!inRange(stored, 1024) || !Number.isInteger(stored)) throw badStored('maxBody', stored);
    return stored;
  },
  describe: (bytes) => [`max-body ${formatBytes(bytes)}`],
  exportLosses: (bytes, target) => [{feature: `max-body ${formatBytes(bytes)}`, detail: `not exported: ${HOW[target]}`}],
};

const HOW = {
  caddy: 'add `request_body { max_size … }` to the site yourself',
  nginx: 'add `client_max_body_size` to the server yourself',
  gateway: 'the Gateway API has no body limit; set it in your Gateway controller',
  ingress: "Ingress has no body limit; use your controller's annotation (e.g. nginx.ingress.kubernetes.io/proxy-body-size)",
} as const;
