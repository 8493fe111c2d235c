import {request} from '../daemon/client.js';
import type {ProjectRoutesRequest} from '../daemon/protocol.js';
import {loadProjectConfig} from '../routes/project.js';
import type {StatePaths} from '../state/home.js';

/** Register the routes of `dir`'s portico.json with the running daemon; false when there is none. */
export async function registerProject(paths: StatePaths, dir: string, out: (line: string) => void): Promise<boolean> {
  const project = loadProjectConfig(dir);
  if (!project) return false;
  const body: ProjectRoutesRequest = {project: project.project, routes: project.routes.map(({project: _p, ...r}) => r)};
  await request(paths, 'POST', '/routes/project', body);
  out(`Registered ${project.routes.length} route(s) from ${project.file}.`);
  return true;
}
