import {readFileSync} from 'node:fs';
import path from 'node:path';
import {ExitCode, UserError} from '../errors.js';
import {findMember, indexCopies} from '../routes/copies.js';
import type {Route} from '../routes/types.js';
import {routeUrl} from '../routes/url.js';
import {writeFileAtomic} from '../state/atomic.js';
import type {StatePaths} from '../state/home.js';
import type {UseCopyRequest, UseCopyResult} from './protocol.js';

/**
 * Which copy each stable host serves by default (`portico use`), kept in `copies.json` next to
 * routes.json so it outlives the copy's `portico run` and the daemon (README "Copies of an app").
 */
export function usesFile(paths: StatePaths): string {
  return path.join(paths.home, 'copies.json');
}

/** Read copies.json; a missing or unreadable file means no choices (the first copy serves). */
export function loadUses(paths: StatePaths): Map<string, string> {
  try {
    const data = JSON.parse(readFileSync(usesFile(paths), 'utf8')) as {uses?: Record<string, unknown>};
    return new Map(Object.entries(data.uses ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    // Only a preference: an unreadable file falls back to the first copy, and the next `use` rewrites it.
    return new Map();
  }
}

export function saveUses(paths: StatePaths, uses: ReadonlyMap<string, string>): void {
  writeFileAtomic(usesFile(paths), `${JSON.stringify({uses: Object.fromEntries(uses)}, null, 2)}\n`, 0o600);
}

/**
 * Mark the copy the stable host serves by default. `copy` is a name (`fix-login`) or an own address
 * (`fix-login.shop.localhost`); `app` picks the stable host when several apps have a copy of that name.
 */
export function useCopy(
  routes: readonly Route[],
  uses: ReadonlyMap<string, string>,
  request: UseCopyRequest,
  port: number,
): {uses: Map<string, string>; result: UseCopyResult} {
  const wanted = String(request.copy ?? '')
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
  const app = request.app === undefined ? undefined : String(request.app).trim().toLowerCase();
  const stableOf = (name: string) => (name.endsWith('.localhost') ? name : `${name}.localhost`);
  const {groups} = indexCopies(routes, uses);
  const all = [...groups.values()];
  if (all.length === 0)
    throw new UserError('No app has copies yet: `portico run` in a second worktree or clone of an app makes one.', {exit: ExitCode.notFound});
  const candidates = all.filter((g) => (app === undefined || g.stable === stableOf(app)) && findMember(g, wanted));
  if (candidates.length === 0) {
    const known = all.map((g) => `${g.stable}: ${g.members.map((m) => m.name).join(', ')}`).join('; ');
    throw new UserError(`No copy \`${request.copy}\`${app ? ` of \`${request.app}\`` : ''}.`, {hint: `Copies: ${known}.`, exit: ExitCode.notFound});
  }
  if (candidates.length > 1) {
    throw new UserError(`Copy \`${request.copy}\` belongs to several apps: ${candidates.map((g) => g.stable).join(', ')}.`, {
      hint: `Name the app: \`portico use ${wanted} --app ${candidates[0]!.stable.replace(/\.localhost$/, '')}\`.`,
    });
  }
  const group = candidates[0]!;
  const member = findMember(group, wanted)!;
  const next = new Map(uses);
  if (member.first) next.delete(group.stable);
  else next.set(group.stable, member.name);
  return {
    uses: next,
    result: {stable: group.stable, copy: member.name, url: routeUrl(member.address, '/', port), stableUrl: routeUrl(group.stable, '/', port)},
  };
}
