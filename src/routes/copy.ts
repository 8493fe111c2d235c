import {DEFAULT_COPY_SWITCH, type CopySwitch, type Route, type RouteCopy} from './types.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** A normalised host (lower-case ASCII labels); routes/name.ts says which names portico serves. */
const HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
/** RFC 9110 token characters: what a header or cookie name may hold. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Check a route's `copy` as it arrives over the control API or from routes.json; throws naming the field. */
export function validateCopy(data: unknown): RouteCopy | undefined {
  if (data === undefined) return undefined;
  if (!isObject(data)) throw new Error('`copy` must be an object');
  const {name, of, branch} = data;
  if (typeof name !== 'string' || !LABEL.test(name)) throw new Error(`copy name ${JSON.stringify(name)} is not a DNS label`);
  if (of !== undefined && (typeof of !== 'string' || !HOST.test(of))) throw new Error(`copy \`of\` ${JSON.stringify(of)} is not a stable host`);
  if (branch !== undefined && typeof branch !== 'string') throw new Error('copy `branch` must be a string');
  const sw = data.switch === undefined ? undefined : validateSwitch(data.switch);
  return {name, ...(of === undefined ? {} : {of: of as string}), ...(branch === undefined ? {} : {branch: branch as string}), ...(sw ? {switch: sw} : {})};
}

/** portico.json `copies`: `{"header": "X-Branch", "cookie": "branch", "query": "branch"}`, each optional. */
export function validateSwitch(data: unknown): CopySwitch {
  if (!isObject(data)) throw new Error('`copies` must be an object with `header`, `cookie` or `query`');
  const out: CopySwitch = {...DEFAULT_COPY_SWITCH};
  for (const key of Object.keys(data)) {
    if (key !== 'header' && key !== 'cookie' && key !== 'query') throw new Error(`unknown key \`copies.${key}\` (expected header, cookie, query)`);
    const value = data[key];
    if (typeof value !== 'string' || !TOKEN.test(value)) throw new Error(`\`copies.${key}\` ${JSON.stringify(value)} is not a valid name`);
    out[key] = key === 'header' ? value.toLowerCase() : value;
  }
  return out;
}

/** The stable host a copy route belongs to: its `of`, or its own host for the first copy. */
export function stableHostOf(route: Pick<Route, 'host' | 'copy'>): string | undefined {
  return route.copy ? (route.copy.of ?? route.host) : undefined;
}

/** A copy's own address: `<copy>.<stable>` (for the first copy too). */
export function copyHost(name: string, stable: string): string {
  return `${name}.${stable}`;
}
