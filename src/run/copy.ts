import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {copyHost} from '../routes/copy.js';
import {copyLabel, distinctLabel} from '../routes/copy-name.js';
import {validateSwitch} from '../routes/copy.js';
import {UserError} from '../errors.js';
import type {CopySwitch, Route, RouteCopy} from '../routes/types.js';

/** What a directory is, as a copy of its app: its git branch, else its directory name. */
export interface CopyIdentity {
  /** The copy's DNS label. */
  name: string;
  /** The branch, or `HEAD at <sha>` when detached; absent outside git. */
  branch?: string;
}

/**
 * The branch checked out in `dir`, read from git's own files (no `git` process): `.git` is a
 * directory in a clone and a `gitdir:` file in a linked worktree, and HEAD names the branch there.
 */
export function gitBranch(dir: string): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const dotGit = path.join(at, '.git');
    const gitDir = gitDirOf(dotGit, at);
    if (gitDir) {
      const head = readText(path.join(gitDir, 'HEAD'))?.trim();
      if (!head) return undefined;
      const ref = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
      return ref ? ref[1] : /^[0-9a-f]{7,}$/.test(head) ? `HEAD at ${head.slice(0, 7)}` : undefined;
    }
    if (path.dirname(at) === at) return undefined;
  }
}

function gitDirOf(dotGit: string, at: string): string | undefined {
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
  } catch {
    return undefined;
  }
  const pointer = /^gitdir:\s*(.+)$/m.exec(readText(dotGit) ?? '');
  return pointer ? path.resolve(at, pointer[1]!.trim()) : undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function copyIdentity(dir: string): CopyIdentity {
  const branch = gitBranch(dir);
  if (branch) return {name: copyLabel(branch.startsWith('HEAD at ') ? branch.slice(8) : branch), branch};
  return {name: copyLabel(path.basename(path.resolve(dir)))};
}

/** portico.json `copies` (the switch names), if the project sets them. */
export function copySwitchOf(dir: string): CopySwitch | undefined {
  const text = readText(path.join(dir, 'portico.json'));
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined; // `portico up` reports a malformed portico.json; `run` only looks for `copies`
  }
  const copies = (data as {copies?: unknown} | null)?.copies;
  if (copies === undefined) return undefined;
  try {
    return validateSwitch(copies);
  } catch (error) {
    throw new UserError(`Invalid \`${path.join(dir, 'portico.json')}\`: ${(error as Error).message}.`, {
      hint: 'See the format in node_modules/portico/schema/portico.schema.json (README "Project routes: portico.json").',
    });
  }
}

export interface CopyPlan {
  /** The host to register: the stable host for the first copy, `<copy>.<stable>` for the others. */
  host: string;
  copy: RouteCopy;
}

/**
 * Where a `portico run` in `dir` goes when `stable` (with `path`) may already be served: on the stable
 * host when it is free or this directory's, else as a copy beside it (README "Copies of an app"). A
 * second directory on the same branch gets a name made distinct by a hash of its directory.
 */
export function planCopy(routes: readonly Route[], stable: string, routePath: string, dir: string, identity: CopyIdentity, sw?: CopySwitch): CopyPlan {
  const base = {...(identity.branch ? {branch: identity.branch} : {}), ...(sw ? {switch: sw} : {})};
  const ownedElsewhere = (host: string) => {
    const route = routes.find((r) => r.host === host && r.path === routePath);
    const theirs = route?.project ?? route?.targets.find((t) => t.dir)?.dir;
    return theirs !== undefined && theirs !== dir;
  };
  if (!ownedElsewhere(stable)) return {host: stable, copy: {name: identity.name, ...base}};
  const first = routes.find((r) => r.host === stable && r.copy)?.copy?.name;
  let name = identity.name;
  if (name === first || ownedElsewhere(copyHost(name, stable))) name = distinctLabel(name, dir);
  return {host: copyHost(name, stable), copy: {name, of: stable, ...base}};
}
