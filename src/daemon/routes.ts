import {isAbsolute} from 'node:path';
import {ExitCode, InputError, UserError, isUserError} from '../errors.js';
import {parseHealthPath, parseRouteSpec, parseStrategy, parseTarget, parseWeightedTarget} from '../routes/parse.js';
import {mergeRouteOptions, validateRouteOptions} from '../routes/options-data.js';
import {ADD_WAY_OUT, describeOwner, ownerDir, refuseOtherDirectory, routeOwner} from '../routes/owner.js';
import {refuseSelfTargets} from '../routes/self.js';
import {routeKey, type Route, type RouteOptions} from '../routes/types.js';
import type {AddRouteRequest, ProjectResult, ProjectRoutesRequest, RemoveRouteRequest} from './protocol.js';
import {validateRoutes} from './store.js';
import {validateCopy} from '../routes/copy.js';

/**
 * Route mutations as pure functions over the route list: each returns the new list (the daemon
 * persists and applies it) or throws a UserError naming the input. Requests arrive over the
 * control socket one at a time, so concurrent CLIs never lose each other's changes.
 */
export interface AddResult {
  routes: Route[];
  route: Route;
  created: boolean;
  /** What the user should know: the route now belongs to them, or a `run` joined a route added by hand. */
  notices: string[];
}

export function addRoute(routes: readonly Route[], request: AddRouteRequest, selfPorts: readonly number[] = [], domains: readonly string[] = []): AddResult {
  const {host, path} = parseRouteSpec(request.spec, domains);
  if (!Array.isArray(request.targets) || request.targets.length === 0) {
    throw new InputError(`Route \`${request.spec}\` needs at least one target, e.g. \`portico add ${request.spec} 5173\`.`);
  }
  const dir = typeof request.dir === 'string' && isAbsolute(request.dir) ? request.dir : undefined;
  // A target added again takes the weight given now (none: 1), so a weight change applies at once.
  const targets = request.targets.map((t) => {
    const {target, weight} = parseWeightedTarget(t);
    return {
      url: target.url,
      ...(request.owner ? {owner: request.owner, ...(dir ? {dir} : {})} : {}),
      ...(weight === undefined || weight === 1 ? {} : {weight}),
    };
  });
  const strategy = request.strategy === undefined ? undefined : parseStrategy(request.strategy);
  const health = request.health === undefined ? undefined : parseHealthPath(request.health);
  let requested: RouteOptions | undefined;
  try {
    requested = validateRouteOptions(request.options);
  } catch (error) {
    throw new InputError(`Invalid options for \`${request.spec}\`: ${(error as Error).message}.`);
  }
  refuseSelfTargets({host, path, targets}, selfPorts);
  const index = routes.findIndex((r) => r.host === host && r.path === path);
  const existing = index === -1 ? undefined : routes[index]!;
  const notices = existing ? ownershipNotices(existing, request, dir) : [];
  let merged = existing && !request.replace ? [...existing.targets] : [];
  for (const t of targets) {
    const at = merged.findIndex((m) => m.url === t.url);
    if (at === -1) merged.push(t);
    else merged[at] = t;
  }
  if (merged.length === 0) merged = targets;
  // Changed by hand, a project's route is the user's now: the project's next `up` says it replaces it.
  const keepProject = existing?.project && request.owner !== undefined;
  const route: Route = {
    host,
    path,
    targets: merged,
    strategy: strategy ?? existing?.strategy ?? 'round-robin',
    ...((health ?? existing?.health) ? {health: health ?? existing?.health} : {}),
    stripPrefix: request.stripPrefix ?? existing?.stripPrefix ?? false,
    ...(keepProject ? {project: existing!.project} : {}),
  };
  const copy = copyOfRequest(request, existing);
  if (copy) route.copy = copy;
  const options = mergeRouteOptions(request.replace ? undefined : existing?.options, requested);
  if (options) route.options = options;
  const next = [...routes];
  if (index === -1) next.push(route);
  else next[index] = route;
  return {routes: next, route, created: index === -1, notices};
}

/** A `run` says which copy it is; a route added by hand keeps the copy it was. */
function copyOfRequest(request: AddRouteRequest, existing: Route | undefined): Route['copy'] {
  try {
    return validateCopy(request.copy) ?? existing?.copy;
  } catch (error) {
    throw new UserError(`Invalid copy for \`${request.spec}\`: ${(error as Error).message}.`);
  }
}

/**
 * Two directories never share a name silently: a `portico run` from one directory refuses a route that
 * another directory (a project, or another `run`) owns, unless it asks to join. What else changes
 * hands is said.
 */
function ownershipNotices(existing: Route, request: AddRouteRequest, dir: string | undefined): string[] {
  const owner = routeOwner(existing);
  const key = routeKey(existing);
  if (request.owner !== undefined) {
    const theirs = ownerDir(owner);
    if (dir !== undefined) refuseOtherDirectory(existing, dir, request.join === true);
    if (theirs !== undefined && dir !== undefined && theirs !== dir)
      return [`Joined \`${key}\`, served by ${describeOwner(owner)}: requests alternate between both directories.`];
    if (owner.kind === 'hand') return [`Joined \`${key}\`, added by hand (targets ${existing.targets.map((t) => t.url).join(', ')}).`];
    return [];
  }
  // `add` from another directory: the same refusal as `run`'s, with add's ways out.
  if (dir !== undefined && !request.replace) refuseOtherDirectory(existing, dir, request.join === true, ADD_WAY_OUT);
  if (owner.kind === 'project') return [`\`${key}\` was declared by ${owner.dir}; it is yours now, and the next \`portico up\` there replaces it.`];
  if (owner.kind === 'run') return [`\`${key}\` is served by ${describeOwner(owner)}; requests now spread over its instances and yours.`];
  return [];
}

export function removeRoute(routes: readonly Route[], request: RemoveRouteRequest): {routes: Route[]; removed: Route; route?: Route} {
  // Any route there is can be removed, even one under a domain removed by hand since.
  const {host, path} = parseRouteSpec(
    request.spec,
    routes.map((r) => r.host),
  );
  const index = routes.findIndex((r) => r.host === host && r.path === path);
  if (index === -1) {
    throw new UserError(`No route \`${routeKey({host, path})}\` to remove.`, {hint: 'See the routes with `portico ls`.', exit: ExitCode.notFound});
  }
  const existing = routes[index]!;
  const next = [...routes];
  if (!request.targets || request.targets.length === 0) {
    next.splice(index, 1);
    return {routes: next, removed: existing};
  }
  const drop = new Set(request.targets.map((t) => parseTarget(t).url));
  for (const url of drop) {
    if (!existing.targets.some((t) => t.url === url)) {
      throw new UserError(`Route \`${routeKey(existing)}\` has no target \`${url}\`.`, {
        hint: `Its targets: ${existing.targets.map((t) => t.url).join(', ')}.`,
        exit: ExitCode.notFound,
      });
    }
  }
  const targets = existing.targets.filter((t) => !drop.has(t.url));
  if (targets.length === 0) {
    next.splice(index, 1);
    return {routes: next, removed: existing};
  }
  const route = {...existing, targets};
  next[index] = route;
  return {routes: next, removed: {...existing, targets: existing.targets.filter((t) => drop.has(t.url))}, route};
}

/**
 * A project's routes replace that project's earlier ones, and any route of the same name; routes of
 * other projects or of `add` stay. What it takes from someone else, or drops, is reported.
 */
export function setProjectRoutes(
  routes: readonly Route[],
  request: ProjectRoutesRequest,
  selfPorts: readonly number[] = [],
  domains: readonly string[] = [],
): ProjectResult {
  if (typeof request.project !== 'string' || !isAbsolute(request.project)) {
    throw new InputError(`Invalid project \`${String(request.project)}\`: expected an absolute directory.`);
  }
  let incoming: Route[];
  try {
    // The daemon is the only writer of routes.json: nothing unchecked gets in, whoever sent it.
    incoming = validateRoutes(request.routes, domains).map((r) => ({...r, project: request.project}));
  } catch (error) {
    if (isUserError(error)) throw error;
    throw new InputError(`Invalid routes for project \`${request.project}\`: ${(error as Error).message}.`);
  }
  for (const route of incoming) refuseSelfTargets(route, selfPorts);
  const keys = new Set(incoming.map(routeKey));
  const replaced = routes
    .filter((r) => r.project !== request.project && keys.has(routeKey(r)))
    .map((r) => ({route: routeKey(r), owner: describeOwner(routeOwner(r)), targets: r.targets.map((t) => t.url)}));
  const removed = routes.filter((r) => r.project === request.project && !keys.has(routeKey(r))).map(routeKey);
  return {routes: [...routes.filter((r) => r.project !== request.project && !keys.has(routeKey(r))), ...incoming], replaced, removed};
}

/** Drop targets whose owning `portico run` has exited; a route left with no target goes too. */
export function pruneOwners(routes: readonly Route[], alive: (pid: number) => boolean): Route[] | undefined {
  let changed = false;
  const next: Route[] = [];
  for (const route of routes) {
    const targets = route.targets.filter((t) => t.owner === undefined || alive(t.owner));
    if (targets.length !== route.targets.length) changed = true;
    if (targets.length > 0) next.push(targets.length === route.targets.length ? route : {...route, targets});
  }
  return changed ? next : undefined;
}
