import {hashPassword, hashToken, newToken} from '../frontdoor/auth-secret.js';
import type {RouteOptions} from '../routes/types.js';

/**
 * Finish `--auth` before the request leaves the CLI (README "Access gate"): the password is read and
 * hashed here, the token made here, so the control socket, the daemon and routes.json only ever see
 * hashes. Returns the options to send and the token, which the caller prints once.
 */
export async function sealAuth(
  options: RouteOptions | undefined,
  readPassword: (prompt: string) => Promise<string>,
): Promise<{options?: RouteOptions; token?: string}> {
  const auth = options?.auth;
  if (auth?.hash !== '') return {options};
  if (auth.kind === 'basic') {
    const hash = await hashPassword(await readPassword(`Password for ${auth.user}: `));
    return {options: {...options, auth: {kind: 'basic', user: auth.user, hash}}};
  }
  const token = newToken();
  return {options: {...options, auth: {kind: 'token', hash: hashToken(token)}}, token};
}

/** The link that signs a browser in: the route's URL with the token, once. */
export function tokenLink(routeUrl: string, token: string): string {
  return `${routeUrl}${routeUrl.endsWith('/') ? '' : '/'}?portico_token=${token}`;
}
