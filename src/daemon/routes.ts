import {isAbsolute} from 'node:path';
import {UserError, isUserError} from '../errors.js';
import {parseHealthPath, parseRouteSpec, parseStrategy, parseTarget} from '../routes/parse.js';
import {routeKey, type Route} from '../routes/types.js';
import type {AddRouteRequest, ProjectRoutesRequest, RemoveRouteRequest} from './protocol.js';
import {validateRoutes} from './store.js';

/**
 * Route mutations as pure functions over the route list: each returns the new list (the daemon
 * persists and applies it) or throws a UserError naming the input. Requests arrive over the
 * control socket one at a time, so concurrent CLIs never lose each other's changes.
 */
export function addRoute(routes: readonly Route[], request: AddRouteRequest): {routes: Route[]; route: Route; created: boolean} {
  const {host, path} = parseRouteSpec(request.spec);
  if (!Array.isArray(request.targets) || request.targets.length === 0) {
    throw new UserError(`Route \`${request.spec}\` needs at least one target, e.g. \`portico add ${request.spec} 5173\`.`);
  }
  const targets = request.targets.map((t) => ({url: parseTarget(t).url, ...(request.owner ? {owner: request.owner} : {})}));
  const strategy = request.strategy === undefined ? undefined : parseStrategy(request.strategy);
  const health = request.health === undefined ? undefined : parseHealthPath(request.health);
  const index = routes.findIndex((r) => r.host === host && r.path === path);
  const existing = index === -1 ? undefined : routes[index]!;
  let merged = existing && !request.replace ? [...existing.targets] : [];
  for (const t of targets) {
    const at = merged.findIndex((m) => m.url === t.url);
    if (at === -1) merged.push(t);
    else merged[at] = t;
  }
  if (merged.length === 0) merged = targets;
  const route: Route = {
    host,
    path,
    targets: merged,
    strategy: strategy ?? existing?.strategy ?? 'round-robin',
    ...((health ?? existing?.health) ? {health: health ?? existing?.health} : {}),
    stripPrefix: request.stripPrefix ?? existing?.stripPrefix ?? false,
    ...(existing?.project ? {project: existing.project} : {}),
    ...mergeOptions(existing?.options, request.options),
  };
  const next = [...routes];
  if (index === -1) next.push(route);
  else next[index] = route;
  return {routes: next, route, created: index === -1};
}

export function removeRoute(routes: readonly Route[], request: RemoveRouteRequest): {routes: Route[]; removed: Route; route?: Route} {
  const {host, path} = parseRouteSpec(request.spec);
  const index = routes.findIndex((r) => r.host === host && r.path === path);
  if (index === -1) {
    throw new UserError(`No route \`${routeKey({host, path})}\` to remove.`, {hint: 'See the routes with `portico ls`.'});
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
      throw new UserError(`Route \`${routeKey(existing)}\` has no target \`${url}\`.`, {hint: `Its targets: ${existing.targets.map((t) => t.url).join(', ')}.`});
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

/** A project's routes replace that project's earlier ones; routes of other projects or of `add` stay. */
export function setProjectRoutes(routes: readonly Route[], request: ProjectRoutesRequest): Route[] {
  if (typeof request.project !== 'string' || !isAbsolute(request.project)) {
    throw new UserError(`Invalid project \`${String(request.project)}\`: expected an absolute directory.`);
  }
  let incoming: Route[];
  try {
    // The daemon is the only writer of routes.json: nothing unchecked gets in, whoever sent it.
    incoming = validateRoutes(request.routes).map((r) => ({...r, project: request.project}));
  } catch (error) {
    if (isUserError(error)) throw error;
    throw new UserError(`Invalid routes for project \`${request.project}\`: ${(error as Error).message}.`);
  }
  const keys = new Set(incoming.map(routeKey));
  return [...routes.filter((r) => r.project !== request.project && !keys.has(routeKey(r))), ...incoming];
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

/** Options given now win over the route's current ones; a route without any carries no `options` key. */
function mergeOptions(current: Route['options'], given: AddRouteRequest['options']): Pick<Route, 'options'> {
  if (given?.timeout !== undefined && !(Number.isInteger(given.timeout) && given.timeout > 0)) {
    throw new UserError(`Invalid timeout \`${String(given.timeout)}\`: expected a positive number of milliseconds.`);
  }
  const options = {...current, ...given};
  return Object.keys(options).length > 0 ? {options} : {};
}
