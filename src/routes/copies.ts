import {basename} from 'node:path';
import {copyHost, stableHostOf} from './copy.js';
import {copyLabel} from './copy-name.js';
import {DEFAULT_COPY_SWITCH, type CopySwitch, type Route} from './types.js';

/** One copy of an app as the stable host knows it. */
export interface CopyMember {
  name: string;
  /** The host its routes sit on: the stable host for the first copy, `<name>.<stable>` for the others. */
  host: string;
  /** Its own address, `<name>.<stable>`. */
  address: string;
  branch?: string;
  /** The directory it runs in (its `portico run`). */
  dir?: string;
  /** The first copy: its routes are on the stable host itself, and its cookies keep their names there. */
  first: boolean;
}

/** The copies behind one stable host, and which one it serves when the client picks none. */
export interface CopyGroup {
  stable: string;
  members: CopyMember[];
  /** Name of the copy served by default: the one `portico use` marked, else the first copy. */
  serving: string;
  /** How clients pick a copy (portico.json `copies`). */
  switch: CopySwitch;
}

export interface CopyIndex {
  /** Stable host -> its group. */
  groups: ReadonlyMap<string, CopyGroup>;
  /** The first copy's own address (`main.shop.localhost`) -> the stable host its routes sit on. */
  aliases: ReadonlyMap<string, string>;
}

/** Group the copy routes under their stable hosts; `uses` maps a stable host to the copy `portico use` chose. */
export function indexCopies(routes: readonly Route[], uses: ReadonlyMap<string, string> = new Map()): CopyIndex {
  const groups = new Map<string, CopyGroup>();
  const aliases = new Map<string, string>();
  for (const route of routes) {
    const stable = stableHostOf(route);
    if (!stable || !route.copy) continue;
    let group = groups.get(stable);
    if (!group) groups.set(stable, (group = {stable, members: [], serving: '', switch: route.copy.switch ?? DEFAULT_COPY_SWITCH}));
    if (route.copy.switch) group.switch = route.copy.switch;
    if (group.members.some((m) => m.name === route.copy!.name)) continue;
    const first = route.copy.of === undefined;
    const dir = route.targets.find((t) => t.dir)?.dir ?? route.project;
    group.members.push({
      name: route.copy.name,
      host: route.host,
      address: first ? copyHost(route.copy.name, stable) : route.host,
      ...(route.copy.branch ? {branch: route.copy.branch} : {}),
      ...(dir ? {dir} : {}),
      first,
    });
    if (first) aliases.set(copyHost(route.copy.name, stable), stable);
  }
  for (const group of groups.values()) {
    if (group.members.some((m) => m.first)) continue;
    // The stable host is served by a route that is not marked as a copy (a project's, one added by
    // hand, a `run` from before copies): it is the first copy all the same, named after its directory.
    const route = routes.find((r) => r.host === group.stable);
    if (!route) continue;
    const dir = route.targets.find((t) => t.dir)?.dir ?? route.project;
    const name = dir ? copyLabel(basename(dir)) : 'main';
    group.members.push({name, host: route.host, address: copyHost(name, group.stable), ...(dir ? {dir} : {}), first: true});
    aliases.set(copyHost(name, group.stable), group.stable);
  }
  for (const group of [...groups.values()]) {
    // One directory alone is just an app: copies begin with a second one.
    if (group.members.length === 1 && group.members[0]!.first) {
      groups.delete(group.stable);
      aliases.delete(group.members[0]!.address);
      continue;
    }
    group.members.sort((a, b) => Number(b.first) - Number(a.first));
    const chosen = uses.get(group.stable);
    group.serving = chosen && group.members.some((m) => m.name === chosen) ? chosen : group.members[0]!.name;
  }
  return {groups, aliases};
}

/** The copy named `name` in the group, by its name or its own address. */
export function findMember(group: CopyGroup, name: string): CopyMember | undefined {
  const wanted = name.trim().toLowerCase();
  return group.members.find((m) => m.name === wanted || m.address === wanted);
}
