import type {IncomingHttpHeaders} from 'node:http';
import type {PassFactory} from '../pipeline/exchange.js';
import type {HeaderRule} from '../routes/types.js';

/** Apply rules in order: a value sets (replacing what was there), no value removes. */
export function applyHeaderRules(headers: IncomingHttpHeaders, rules: readonly HeaderRule[]): void {
  for (const rule of rules) {
    if (rule.value === undefined) delete headers[rule.name];
    else headers[rule.name] = rule.value;
  }
}

/**
 * `--request-header` / `--response-header`: set or remove headers on the way to the backend and on
 * the way back. Response rules apply to portico's own answers too (a 429, an injected 503, a cache hit).
 */
export function headersFeature(): PassFactory {
  return {
    name: 'headers',
    request(entry) {
      const rules = entry.route.options?.requestHeaders;
      if (!rules?.length) return undefined;
      return (ex) => {
        applyHeaderRules(ex.requestHeaders, rules);
        return 'next';
      };
    },
    response(entry) {
      const rules = entry.route.options?.responseHeaders;
      if (!rules?.length) return undefined;
      return (_ex, res) => {
        applyHeaderRules(res.headers, rules);
        return res;
      };
    },
  };
}
