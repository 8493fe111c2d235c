import path from 'node:path';
import {DaemonNotRunning, call} from '../daemon/client.js';
import {peekRoutes} from '../daemon/store.js';
import {InputError, UserError} from '../errors.js';
import type {DeployConfig} from '../routes/deploy.js';
import {listDomains} from '../domains/files.js';
import {loadProjectConfig} from '../routes/project.js';
import type {Route} from '../routes/types.js';
import type {StatePaths} from '../state/home.js';

/** Where the routes to export come from. */
export type RouteSource = {kind: 'project'; dir: string} | {kind: 'table'} | {kind: 'auto'; cwd: string};

export interface LoadedSource {
  routes: Route[];
  /** Said on stderr: `3 routes from /src/shop/portico.json`. */
  from: string;
  deploy?: DeployConfig;
}

/**
 * `--project DIR`: that project's portico.json, no daemon needed. `--all`: the route table (the
 * daemon's, or routes.json while it is down). Neither: the current directory's project if it
 * declares one, else the route table.
 */
export async function loadSource(source: RouteSource, paths: StatePaths): Promise<LoadedSource> {
  if (source.kind === 'table') return loadTable(paths);
  const dir = source.kind === 'project' ? source.dir : source.cwd;
  const project = loadProjectConfig(dir, listDomains(paths.home));
  if (project) return {routes: project.routes, from: project.file, ...(project.deploy ? {deploy: project.deploy} : {})};
  if (source.kind === 'project') {
    throw new InputError(`Invalid --project \`${source.dir}\`: ${path.resolve(source.dir)} has no portico.json (nor a "portico" key in package.json).`);
  }
  return loadTable(paths);
}

async function loadTable(paths: StatePaths): Promise<LoadedSource> {
  try {
    const routes = await call(paths, 'routes');
    return {routes, from: 'the running daemon'};
  } catch (error) {
    if (!(error instanceof DaemonNotRunning)) throw error;
  }
  const saved = peekRoutes(paths);
  if (saved.problem) throw new UserError(`Cannot export: ${saved.problem}.`, {hint: 'Run `portico up` to repair it, or export a project with --project DIR.'});
  return {routes: saved.routes, from: paths.routes};
}
