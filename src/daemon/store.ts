import {readFileSync, renameSync} from 'node:fs';
import {errorCode} from '../errors.js';
import {listDomains} from '../domains/files.js';
import {parseRouteSpec, parseTarget, parseWeight} from '../routes/parse.js';
import {headerRuleProblem} from '../routes/header-policy.js';
import {validateRouteOptions} from '../routes/options-data.js';
import {validateCopy} from '../routes/copy.js';
import {STRATEGIES, type Route, type RouteCopy, type RouteOptions} from '../routes/types.js';
import {writeFileAtomic} from '../state/atomic.js';
import type {StatePaths} from '../state/home.js';

export interface LoadedRoutes {
  routes: Route[];
  /** Set when routes.json was unreadable and moved aside: tell the user where it went. */
  notice?: string;
}

/**
 * Read routes.json. A file that cannot be parsed is never overwritten: it is moved to
 * routes.json.corrupt-<timestamp> with its content intact and portico starts with no routes.
 */
export function loadRoutes(paths: StatePaths, now: () => number = Date.now): LoadedRoutes {
  let text: string;
  try {
    text = readFileSync(paths.routes, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return {routes: []};
    return moveAside(paths, now, `could not be read (${errorCode(error) ?? (error as Error).message})`);
  }
  const ignored: string[] = [];
  try {
    const routes = validateRoutes(JSON.parse(text), listDomains(paths.home), (message) => ignored.push(message));
    return {routes, ...(ignored.length > 0 ? {notice: ignored.map((why) => `Ignored a stored header rule on ${why}`).join(' ')} : {})};
  } catch (error) {
    return moveAside(paths, now, `is not valid (${(error as Error).message})`);
  }
}

/**
 * Read routes.json without ever touching it (for `ls` while the daemon is down). `problem` says why
 * an unreadable file was taken as no routes; `repairable`, that the daemon moves it aside when it
 * starts (not when PORTICO_HOME itself is no directory: then the daemon cannot start at all).
 */
export function peekRoutes(paths: StatePaths): {routes: Route[]; problem?: string; repairable?: boolean} {
  let text: string;
  try {
    text = readFileSync(paths.routes, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return {routes: []};
    if (errorCode(error) === 'ENOTDIR') return {routes: [], problem: `PORTICO_HOME \`${paths.home}\` is not a directory`, repairable: false};
    return {routes: [], problem: `${paths.routes} could not be read (${errorCode(error) ?? (error as Error).message})`, repairable: true};
  }
  try {
    return {routes: validateRoutes(JSON.parse(text), listDomains(paths.home))};
  } catch (error) {
    return {routes: [], problem: `${paths.routes} is not valid (${(error as Error).message})`, repairable: true};
  }
}

function moveAside(paths: StatePaths, now: () => number, why: string): LoadedRoutes {
  const aside = `${paths.routes}.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
  try {
    renameSync(paths.routes, aside);
  } catch {
    return {routes: [], notice: `${paths.routes} ${why}; portico started with no routes and left the file as it is.`};
  }
  return {routes: [], notice: `${paths.routes} ${why}; it was moved to ${aside} and portico started with no routes.`};
}

export function saveRoutes(paths: StatePaths, routes: readonly Route[]): void {
  writeFileAtomic(paths.routes, `${JSON.stringify(routes, null, 2)}\n`, 0o600);
}

/**
 * Check the file's shape route by route; anything off makes the whole file suspect, except a header
 * rule that is no longer allowed, which goes to `onRefusedRule` (when given) and is left out.
 * `domains`: the added suffixes whose names may appear (README "Your own dev domains").
 */
export function validateRoutes(data: unknown, domains: readonly string[] = [], onRefusedRule?: (message: string) => void): Route[] {
  if (!Array.isArray(data)) throw new Error('expected a list of routes');
  return data.map((item: Route, i) => {
    const where = `route ${i + 1}`;
    if (typeof item !== 'object' || item === null) throw new Error(`${where} is not an object`);
    const {host, path} = parseRouteSpec(`${item.host}${item.path === '/' ? '' : item.path}`, domains);
    if (!Array.isArray(item.targets)) throw new Error(`${where} has no targets`);
    const targets = item.targets.map((t) => ({
      url: parseTarget(t.url).url,
      ...(Number.isInteger(t.owner) ? {owner: t.owner} : {}),
      ...(typeof t.dir === 'string' ? {dir: t.dir} : {}),
      ...(t.weight === undefined || t.weight === 1 ? {} : {weight: parseWeight(t.weight, `${where} target ${t.url}`)}),
    }));
    if (!STRATEGIES.includes(item.strategy)) throw new Error(`${where} has strategy ${JSON.stringify(item.strategy)}`);
    let options: RouteOptions | undefined;
    try {
      options = validateRouteOptions(
        onRefusedRule
          ? withoutRefusedRules(item.options, (message) => onRefusedRule(`${item.host}${item.path === '/' ? '' : item.path}: ${message}`))
          : item.options,
      );
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    return {
      host,
      path,
      targets,
      strategy: item.strategy,
      ...(typeof item.health === 'string' ? {health: item.health} : {}),
      stripPrefix: item.stripPrefix === true,
      ...(typeof item.project === 'string' ? {project: item.project} : {}),
      ...(options ? {options} : {}),
      ...copyOf(item.copy, where),
    };
  });
}

function copyOf(data: unknown, where: string): {copy?: RouteCopy} {
  try {
    const copy = validateCopy(data);
    return copy ? {copy} : {};
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

/** Stored options without the header rules no longer allowed (README "Security model"), each one reported. */
function withoutRefusedRules(options: unknown, report: (message: string) => void): unknown {
  if (typeof options !== 'object' || options === null) return options;
  const out: Record<string, unknown> = {...(options as Record<string, unknown>)};
  for (const key of ['requestHeaders', 'responseHeaders']) {
    const rules = out[key];
    if (!Array.isArray(rules)) continue;
    out[key] = rules.filter((r: {name?: unknown; value?: unknown}) => {
      if (typeof r !== 'object' || r === null || typeof r.name !== 'string' || (r.value !== undefined && typeof r.value !== 'string')) return true;
      const problem = headerRuleProblem(r.name, r.value as string | undefined);
      if (problem) report(`\`${r.name}\` (${key}) is refused because ${problem}.`);
      return !problem;
    });
  }
  return out;
}
