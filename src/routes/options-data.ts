import {FEATURES, type FlagValues} from './features/index.js';
import {isObject} from './features/feature.js';
import type {RouteOptions} from './types.js';

/**
 * RouteOptions from each place they come from, by walking FEATURES (./features/index.ts): `add`
 * flags, portico.json keys, and the stored form (routes.json, control API), checked once on the way in.
 */

/** The front-door keys a portico.json route object may hold. */
export const PROJECT_OPTION_KEYS: readonly string[] = FEATURES.map((f) => f.key);

/** Collect the options a set of features produced; undefined values (off) are left out. */
function collect(read: (feature: (typeof FEATURES)[number]) => unknown): RouteOptions {
  const options: Record<string, unknown> = {};
  for (const feature of FEATURES) {
    const value = read(feature);
    if (value !== undefined) options[feature.key] = value;
  }
  return options as RouteOptions;
}

/** Parse every given `add` flag (values by flag name, as oclif hands them); an empty object when none were given. */
export function parseOptionFlags(flags: FlagValues): RouteOptions {
  return collect((f) => f.fromFlags(flags));
}

/** portico.json: the route object's option keys (absent or false mean off), each read by its feature. */
export function parseProjectOptions(value: Record<string, unknown>): RouteOptions {
  return collect((f) => (value[f.key] === undefined ? undefined : f.fromProject(value[f.key])));
}

/**
 * The stored form (routes.json, control API): every field checked, unknown fields dropped, so
 * nothing unchecked reaches the proxy. Throws a plain Error saying which field is off.
 */
export function validateRouteOptions(data: unknown): RouteOptions | undefined {
  if (data === undefined) return undefined;
  if (!isObject(data)) throw new Error('options is not an object');
  const out = collect((f) => (data[f.key] === undefined ? undefined : f.check(data[f.key])));
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Later options win key by key (`portico add` on an existing route changes only what it names); a
 * `null` value turns that option off (`--auth off`), so what is stored never holds one.
 */
export function mergeRouteOptions(base: RouteOptions | undefined, next: RouteOptions | undefined): RouteOptions | undefined {
  const merged: Record<string, unknown> = {...base, ...next};
  for (const key of Object.keys(merged)) if (merged[key] === null) delete merged[key];
  return Object.keys(merged).length > 0 ? (merged as RouteOptions) : undefined;
}

/** One short word group per option, as a user would type it again: `cache 64MB`, `fail 10%:503`. */
export function describeOptions(options: RouteOptions | undefined): string[] {
  if (!options) return [];
  return FEATURES.flatMap((f) => (options[f.key] === undefined ? [] : f.describe(options[f.key] as never)));
}

/**
 * Options as `ls --json`, the dashboard and `add --json` show them: the access gate's hash stays in
 * routes.json (and the daemon), the kind and user are shown.
 */
export function shownOptions(options: RouteOptions | undefined): RouteOptions | undefined {
  if (!options?.auth) return options;
  const {auth, ...rest} = options;
  return {...rest, auth: (auth.kind === 'basic' ? {kind: 'basic', user: auth.user} : {kind: 'token'}) as RouteOptions['auth']};
}
