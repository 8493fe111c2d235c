import {UserError} from '../errors.js';
import {routeKey, type Route} from './types.js';

/**
 * Who a route belongs to, as `ls` shows it: the project whose portico.json declares it, the
 * `portico run` processes serving it (with their directory), or the user who added it by hand.
 */
export type RouteOwner = {kind: 'project'; dir: string} | {kind: 'run'; dir?: string; pids: number[]} | {kind: 'hand'};

export function routeOwner(route: Pick<Route, 'project' | 'targets'>): RouteOwner {
  if (route.project) return {kind: 'project', dir: route.project};
  const run = route.targets.filter((t) => t.owner !== undefined);
  if (run.length > 0) {
    const dir = run.find((t) => t.dir)?.dir;
    return {kind: 'run', ...(dir ? {dir} : {}), pids: [...new Set(run.map((t) => t.owner!))]};
  }
  return {kind: 'hand'};
}

/** One short phrase: `project /src/shop`, `portico run in /src/shop (pid 4242)`, `added by hand`. */
export function describeOwner(owner: RouteOwner): string {
  if (owner.kind === 'project') return `project ${owner.dir}`;
  if (owner.kind === 'run') return `portico run${owner.dir ? ` in ${owner.dir}` : ''} (pid ${owner.pids.join(', ')})`;
  return 'added by hand';
}

/** The directory that owns the route, if a directory does (a project, or the `run`'s working directory). */
export function ownerDir(owner: RouteOwner): string | undefined {
  return owner.kind === 'hand' ? undefined : owner.dir;
}

/** The way out `run` offers when the name is taken. */
export const RUN_WAY_OUT = 'Give this one its own name with `--name <name>`, or add its instances to that route with `--join`.';
/** The way out `add` offers when the route is another directory's. */
export const ADD_WAY_OUT = 'Add it under another name, add your targets to that route on purpose with `--join`, or take it over with `--replace`.';

/**
 * Two directories never share a name silently: a `portico run` or an `add` in `dir` refuses a route
 * another directory (a project, or another `run`) owns, unless it asked to `join`.
 */
export function refuseOtherDirectory(existing: Route, dir: string, join: boolean, hint = RUN_WAY_OUT): void {
  const owner = routeOwner(existing);
  const theirs = ownerDir(owner);
  if (theirs === undefined || theirs === dir || join) return;
  throw new UserError(`\`${routeKey(existing)}\` is already served by ${describeOwner(owner)}; this is ${dir}.`, {hint});
}
