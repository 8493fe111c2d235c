import {parseCors} from '../options.js';
import {badStored, isObject, stringOf, type FrontDoorFeature} from './feature.js';

/**
 * `--cors[=ORIGINS]`: answer preflights and add CORS headers (passes: src/frontdoor/cors.ts). Bare,
 * it allows only this portico's own HTTPS origins (`self`); README "CORS" says what each word allows.
 */
export const cors: FrontDoorFeature<'cors'> = {
  key: 'cors',
  flags: [
    {
      name: 'cors',
      kind: 'string',
      helpValue: 'ORIGINS',
      bare: 'self',
      description:
        "answer CORS preflights and add CORS headers: bare, for this portico's own https origins; or these (comma-separated origins, self, * without credentials, private-network)",
    },
  ],
  schema: {
    description:
      "Answer CORS preflights and add CORS headers: true for this portico's own https origins (with credentials), or a list of origins and the words self, * (any origin, without credentials) and private-network.",
    oneOf: [{type: 'boolean'}, {type: 'string'}, {type: 'array', items: {type: 'string', pattern: '^(https?://|self$|\\*$|private-network$)'}, minItems: 1}],
  },
  fromFlags: (flags) => (flags.cors === undefined ? undefined : parseCors(flags.cors as string | true)),
  fromProject: (value) => {
    if (value === false) return undefined;
    if (value === true) return parseCors(true);
    return parseCors(Array.isArray(value) ? value.map((o) => stringOf('cors', o)).join(',') : stringOf('cors', value), 'cors');
  },
  check: (stored) => {
    if (!isObject(stored) || !Array.isArray(stored.origins) || !stored.origins.every((o) => typeof o === 'string')) throw badStored('cors', stored);
    return parseCors((stored.origins as string[]).join(','), 'options.cors');
  },
  describe: ({origins}) => [`cors ${origins.join(',')}`],
  exportLosses: ({origins}, target) => [
    {
      feature: `cors ${origins.join(',')}`,
      detail: `not exported: ${ENGINE[target]} has no CORS setting; answer preflights in the app or add the Access-Control-* headers yourself`,
    },
  ],
};

const ENGINE = {caddy: 'Caddy', nginx: 'nginx', gateway: 'the Gateway API (standard channel)', ingress: 'Ingress'} as const;
