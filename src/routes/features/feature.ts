import {InputError} from '../../errors.js';
import type {RouteOptions} from '../types.js';

export {isObject} from '../object.js';

/**
 * One per-route front-door option (README "Front door"), described once: its `add` flag, its
 * portico.json key, its stored-form check, its words for `ls` and the dashboard, and what each
 * `export` target cannot express of it. `add`'s flags, portico.json parsing, routes.json loading,
 * the control API, `ls`, the dashboard and `export` all loop over FEATURES (./index.ts).
 *
 * Why two halves: this descriptor is plain data and pure checks, so it sits in routes/, the lowest
 * layer, where the project loader (routes/project.ts), the daemon's store and the CLI all reach it.
 * What a feature does to a request (its passes) needs the pipeline contract above routes/, so it
 * lives in src/frontdoor/<feature>.ts, keyed by the same option; the daemon composes those passes
 * (src/frontdoor/index.ts) and hands them to the proxy.
 */
export type OptionKey = keyof RouteOptions;

/** The export targets (src/export): what a feature may lose on each. */
export type ExportTarget = 'caddy' | 'nginx' | 'gateway' | 'ingress';

/** An `add` flag, as data; commands/add.ts turns it into an oclif flag. */
export interface FeatureFlag {
  /** Kebab-case, without dashes: `rate-limit`. */
  readonly name: string;
  readonly kind: 'string' | 'boolean' | 'multiple';
  /** One line for `--help`. */
  readonly description: string;
  /** The value's placeholder in `--help`: `SIZE`, `DURATION`. */
  readonly helpValue?: string;
  /**
   * The flag may be given bare (`--cache`, `--cors`), meaning this value. oclif has no optional
   * values, so src/cli/optional-values.ts rewrites the bare form before parsing.
   */
  readonly bare?: string;
  /** With `bare`: a following argument matching this is the flag's value (`--cache 128MB`), else it is the next argument. */
  readonly valuePattern?: RegExp;
}

/** Flag values by flag name, as oclif hands them (`string`, `boolean`, `string[]`, or undefined). */
export type FlagValues = Readonly<Record<string, unknown>>;

/** Something an export target cannot do as portico does; the export adds the route's key. */
export interface ExportLoss {
  /** What is lost, as the user would name it: `cache`, `rate limit 20/s`. */
  readonly feature: string;
  /** Starts with `not exported:` or `approximated:`; says what to do instead. */
  readonly detail: string;
}

export interface FrontDoorFeature<K extends OptionKey = OptionKey> {
  /** The RouteOptions field, the portico.json key and the routes.json key. */
  readonly key: K;
  readonly flags: readonly FeatureFlag[];
  /** The JSON Schema of the portico.json key (schema/portico.schema.json is held to it by a test). */
  readonly schema: Readonly<Record<string, unknown>>;
  /** The flags' values to the option; undefined when none of its flags was given. Throws a UserError naming the flag and the value. */
  fromFlags(flags: FlagValues): RouteOptions[K] | undefined;
  /** The portico.json value (present) to the option; undefined for off (`false`). Throws a UserError naming the key and the value. */
  fromProject(value: unknown): RouteOptions[K] | undefined;
  /** The stored form (routes.json, control API), checked field by field; throws an Error naming `options.<key>` and its value. */
  check(stored: unknown): RouteOptions[K] | undefined;
  /** Short word groups as a user would type them again: `cache 64MB`, `fail 10%:503`. */
  describe(value: NonNullable<RouteOptions[K]>): string[];
  /** What `export` cannot express of it on a target (empty: exported as portico serves it). */
  exportLosses(value: NonNullable<RouteOptions[K]>, target: ExportTarget): ExportLoss[];
}

/** The Error a stored-form check throws: `options.fail is {"rate":2}`. */
export function badStored(key: string, value: unknown): Error {
  return new Error(`options.${key} is ${JSON.stringify(value)}`);
}

/** A number within [min, max]. */
export const inRange = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/** A portico.json value that must be a string. */
export function stringOf(key: string, value: unknown): string {
  if (typeof value !== 'string') throw new InputError(`\`${key}\` must be a string, got ${JSON.stringify(value)}.`);
  return value;
}
