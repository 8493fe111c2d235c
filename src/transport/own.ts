import {parseTarget} from '../routes/parse.js';
import {isLoopbackName} from '../routes/self.js';
import type {Target} from '../routes/types.js';

/**
 * True when `target` is portico's own listener on `port` (http or https: the port answers both), so a
 * route to it would send every request back through portico. `target` is a parsed Target or anything
 * `portico add` accepts (`1443`, `localhost:1443`, `https://127.0.0.1:1443`); an unparsable one is not ours.
 * `portico add` refuses such routes (routes/self.ts); this catches one that got into the table anyway.
 */
export function isOwnAddress(target: Target | string, port: number): boolean {
  let parsed: Target;
  try {
    parsed = typeof target === 'string' ? parseTarget(target) : target;
  } catch {
    return false;
  }
  return parsed.port === port && isLoopbackName(parsed.hostname);
}
