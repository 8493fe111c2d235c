import chalk from 'chalk';
import {call} from '../daemon/client.js';
import type {ProjectRoutesRequest} from '../daemon/protocol.js';
import type {ProjectResult} from '../daemon/protocol.js';
import {listDomains} from '../domains/files.js';
import {loadProjectConfig} from '../routes/project.js';
import {checkRemoteTargets} from '../routes/remote.js';
import type {StatePaths} from '../state/home.js';
import {count} from '../text.js';

/**
 * Register the routes of `dir`'s portico.json with the running daemon (they replace the project's
 * earlier ones); undefined when there is none. Says which routes it took over from someone else and
 * which it dropped because the file no longer declares them.
 */
export async function registerProject(paths: StatePaths, dir: string, out: (line: string) => void): Promise<ProjectResult | undefined> {
  const project = loadProjectConfig(dir, listDomains(paths.home));
  if (!project) return undefined;
  const remote = checkRemoteTargets(project);
  const body: ProjectRoutesRequest = {project: project.project, routes: project.routes.map(({project: _p, ...r}) => r)};
  const result = await call(paths, 'projectRoutes', body);
  out(`Registered ${count(project.routes.length, 'route')} from ${project.file}.`);
  for (const r of remote) out(chalk.yellow(`! \`${r.route}\` goes to ${r.target}, outside this machine (allowRemoteTargets in ${project.file}).`));
  for (const r of result.replaced) out(chalk.yellow(`! Replaced \`${r.route}\`, ${r.owner} (targets ${r.targets.join(', ')}).`));
  for (const key of result.removed) out(`Removed \`${key}\`: ${project.file} no longer declares it.`);
  return result;
}
