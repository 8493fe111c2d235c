import type {RouteStatus} from '../routes/status.js';
import {routeOwner} from '../routes/owner.js';
import {routeKey, type Route} from '../routes/types.js';

/** Add each route's owner (project, `portico run` with its directory, or by hand) to the proxy's live status. */
export function withOwners(status: readonly RouteStatus[], routes: readonly Route[]): RouteStatus[] {
  const byKey = new Map(routes.map((r) => [routeKey(r), r]));
  return status.map((s) => {
    const route = byKey.get(routeKey(s));
    return route ? {...s, owner: routeOwner(route)} : s;
  });
}
