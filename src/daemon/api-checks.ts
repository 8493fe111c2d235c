import {isObject} from '../routes/object.js';
import {STRATEGIES, type Strategy} from '../routes/types.js';
import type {AddRouteRequest, CacheClearRequest, ProjectRoutesRequest, RemoveRouteRequest, UseCopyRequest, ProbedStatusRequest} from './protocol.js';

/**
 * The shape of each control request body, checked where it arrives: a body that fails names the
 * field and what it should be. What the values mean (a valid host, target, option) is checked by the
 * route functions behind, with the sentences the CLI shows for its own input.
 */
export type BodyCheck<T> = (body: unknown) => T;

/** A body that does not have the endpoint's shape; control.ts prefixes the endpoint. */
export class BodyError extends Error {}

type Field = (value: unknown) => boolean;

const text: Field = (v) => typeof v === 'string';
const texts: Field = (v) => Array.isArray(v) && v.every((t) => typeof t === 'string');
const flag: Field = (v) => typeof v === 'boolean';
const pid: Field = (v) => Number.isSafeInteger(v) && (v as number) > 0;
const ms: Field = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const strategy: Field = (v) => STRATEGIES.includes(v as Strategy);
const object: Field = isObject;
const list: Field = Array.isArray;

/** Each named field, when present, passes its test; `required` fields must be present. */
function fields<T>(shape: Record<string, [Field, string]>, required: readonly string[] = []): BodyCheck<T> {
  return (body) => {
    const value = body ?? {};
    if (!isObject(value)) throw new BodyError('expected a JSON object');
    for (const key of Object.keys(value)) if (!(key in shape)) throw new BodyError(`unknown field \`${key}\``);
    for (const [key, [test, expected]] of Object.entries(shape)) {
      if (value[key] === undefined) {
        if (required.includes(key)) throw new BodyError(`\`${key}\` is missing (${expected})`);
      } else if (!test(value[key])) throw new BodyError(`\`${key}\` must be ${expected}, not ${JSON.stringify(value[key])}`);
    }
    return value as T;
  };
}

/** Endpoints that take no body: an empty one, or `{}`. */
export const noBody: BodyCheck<void> = (body) => {
  if (body !== undefined && !(isObject(body) && Object.keys(body).length === 0)) throw new BodyError('expected no body');
};

export const addRouteBody = fields<AddRouteRequest>(
  {
    spec: [text, 'a route `host[/path]`'],
    targets: [texts, 'a list of targets'],
    strategy: [strategy, `one of ${STRATEGIES.join(', ')}`],
    health: [text, 'a path'],
    stripPrefix: [flag, 'true or false'],
    replace: [flag, 'true or false'],
    owner: [pid, 'a process id'],
    options: [object, 'an object of route options'],
    dir: [text, 'a directory'],
    join: [flag, 'true or false'],
    copy: [object, 'a copy `{name, of?, branch?, switch?}`'],
  },
  ['spec', 'targets'],
);

export const removeRouteBody = fields<RemoveRouteRequest>({spec: [text, 'a route `host[/path]`'], targets: [texts, 'a list of targets']}, ['spec']);

export const projectRoutesBody = fields<ProjectRoutesRequest>({project: [text, 'an absolute directory'], routes: [list, 'a list of routes']}, [
  'project',
  'routes',
]);

export const useCopyBody = fields<UseCopyRequest>({copy: [text, 'a copy name or address'], app: [text, 'an app name or stable host']}, ['copy']);

export const probedStatusBody = fields<ProbedStatusRequest>({maxAgeMs: [ms, 'a whole number of milliseconds >= 0']});
export const cacheClearBody = fields<CacheClearRequest>({spec: [text, 'a route `host[/path]`']});
