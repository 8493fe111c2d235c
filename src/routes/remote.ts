import {isIP} from 'node:net';
import {UserError} from '../errors.js';
import {parseTarget} from './parse.js';
import {routeKey, type Route} from './types.js';

/**
 * A project file is input portico did not write (a cloned repository): it may send a name only to
 * this machine unless it says `"allowRemoteTargets": true`, and then `up` names every remote target
 * (README "Security model"). Targets typed on the command line are the user's own and stay as they are.
 */

/** True when a target URL dials this machine only: localhost, a name under .localhost, 127.0.0.0/8, ::1. */
export function isLoopbackTarget(url: string): boolean {
  const host = parseTarget(url).hostname.replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host);
  return false;
}

/** Every `route -> target` of the project that leaves this machine. */
export function remoteTargets(routes: readonly Route[]): Array<{route: string; target: string}> {
  return routes.flatMap((r) => r.targets.filter((t) => !isLoopbackTarget(t.url)).map((t) => ({route: routeKey(r), target: t.url})));
}

/** Refuse a project's remote targets unless the file opts in; the list to announce otherwise. */
export function checkRemoteTargets(project: {file: string; routes: readonly Route[]; allowRemoteTargets?: boolean}): Array<{route: string; target: string}> {
  const remote = remoteTargets(project.routes);
  if (remote.length > 0 && project.allowRemoteTargets !== true) {
    const first = remote[0]!;
    const more = remote.length > 1 ? ` (and ${remote.length - 1} more)` : '';
    throw new UserError(
      `Refusing \`${project.file}\`: route \`${first.route}\` points at \`${first.target}\`${more}, outside this machine, and the file does not say \`"allowRemoteTargets": true\`.`,
      {
        exit: 2,
        hint: 'If you trust this project to send these names elsewhere, add "allowRemoteTargets": true at the top of the file.',
      },
    );
  }
  return remote;
}
