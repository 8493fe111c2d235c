import chalk from 'chalk';
import type {RouteStatus} from '../routes/status.js';
import {indexCopies} from '../routes/copies.js';
import type {CopyStatus} from '../routes/status.js';
import type {Route} from '../routes/types.js';
import {routeUrl} from '../routes/url.js';

/**
 * `ls` shows the copies of an app under it (README "Copies of an app"): the stable host's route, then
 * each copy with its branch, directory and whether the stable host serves it by default.
 */
export function groupCopies(routes: readonly RouteStatus[]): RouteStatus[] {
  const copiesOf = new Map<string, RouteStatus[]>();
  const rest: RouteStatus[] = [];
  for (const r of routes) {
    if (r.copy && r.host !== r.copy.stable) copiesOf.set(r.copy.stable, [...(copiesOf.get(r.copy.stable) ?? []), r]);
    else rest.push(r);
  }
  const out: RouteStatus[] = [];
  for (const r of rest) {
    out.push(r);
    const copies = copiesOf.get(r.host);
    if (copies && r.path === '/') {
      out.push(...copies);
      copiesOf.delete(r.host);
    }
  }
  // Copies whose first copy is not running: grouped all the same, under the stable name.
  for (const copies of copiesOf.values()) out.push(...copies);
  return out;
}

/** One line per copy: `copy fix-login · branch fix/login · served at https://shop.localhost by default`. */
export function copyLine(r: RouteStatus): string {
  const c = r.copy!;
  const first = r.host === c.stable;
  const parts = [
    `copy ${chalk.bold(c.name)}`,
    c.branch ? `branch ${c.branch}` : '',
    first ? `also ${c.url}` : '',
    c.serving ? chalk.green(`served at ${r.url.replace(`//${r.host}`, `//${c.stable}`)} by default`) : '',
  ].filter(Boolean);
  return `${chalk.cyan('⎇')} ${parts.join(' · ')}`;
}

/** A route's copy status from routes.json while the daemon is down. */
export function savedCopy(route: Route, routes: readonly Route[], uses: ReadonlyMap<string, string>, port: number): {copy?: CopyStatus} {
  if (!route.copy) return {};
  const stable = route.copy.of ?? route.host;
  const group = indexCopies(routes, uses).groups.get(stable);
  const member = group?.members.find((m) => m.name === route.copy!.name);
  if (!group || !member) return {};
  return {
    copy: {
      name: member.name,
      stable,
      url: routeUrl(member.address, route.path, port),
      ...(member.branch ? {branch: member.branch} : {}),
      serving: group.serving === member.name,
    },
  };
}
