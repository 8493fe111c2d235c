import {UserError} from '../../errors.js';
import type {AuthOption} from '../types.js';
import {badStored, isObject, type FrontDoorFeature} from './feature.js';

/** A user name for Basic: no colon (RFC 7617 splits on the first one), no control characters. */
const USER = /^[^:\p{Cc}]{1,64}$/u;
const PASSWORD_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{32,}$/;
const TOKEN_HASH = /^[A-Za-z0-9_-]{43}$/;

/**
 * `--auth basic:USER | token | off`: an access gate at the front door (passes: src/frontdoor/auth.ts).
 * The flag names the kind only: the CLI reads the password (prompt or stdin) or makes the token and
 * fills in `hash` (src/cli/auth.ts) before anything leaves it, so an `add` request carries hashes
 * only; `check` refuses an empty hash, so an unfinished one is never stored.
 */
export const auth: FrontDoorFeature<'auth'> = {
  key: 'auth',
  flags: [
    {
      name: 'auth',
      kind: 'string',
      helpValue: 'basic:USER|token|off',
      description: 'gate the route: HTTP Basic for USER (password from a prompt or stdin), or a token printed once (kept in a cookie); off removes the gate',
    },
  ],
  schema: {
    not: {},
    description:
      'Not read from portico.json: a credential does not belong in a project file. Gate a route with `portico add ROUTE TARGET --auth basic:USER` or `--auth token`.',
  },
  fromFlags: (flags) => {
    const text = flags.auth as string | undefined;
    if (text === undefined) return undefined;
    if (text === 'off') return null;
    if (text === 'token') return {kind: 'token', hash: ''};
    const user = /^basic:(.*)$/s.exec(text)?.[1];
    if (user !== undefined && USER.test(user)) return {kind: 'basic', user, hash: ''};
    throw new UserError(`Invalid --auth \`${text}\`: expected basic:USER (a user name without \`:\`), token or off.`, {exit: 2});
  },
  fromProject: () => {
    throw new UserError(
      '`auth` is not read from portico.json: a credential does not belong in a project file; gate the route with `portico add ROUTE TARGET --auth basic:USER` or `--auth token`.',
    );
  },
  check: (stored): AuthOption | null | undefined => {
    if (stored === null) return null;
    if (
      isObject(stored) &&
      stored.kind === 'basic' &&
      typeof stored.user === 'string' &&
      USER.test(stored.user) &&
      typeof stored.hash === 'string' &&
      PASSWORD_HASH.test(stored.hash)
    ) {
      return {kind: 'basic', user: stored.user, hash: stored.hash};
    }
    if (isObject(stored) && stored.kind === 'token' && typeof stored.hash === 'string' && TOKEN_HASH.test(stored.hash))
      return {kind: 'token', hash: stored.hash};
    // Never echo a stored credential hash back into an error message.
    throw badStored('auth', isObject(stored) ? {kind: stored.kind} : typeof stored);
  },
  describe: (value) => [value.kind === 'basic' ? `auth basic:${value.user}` : 'auth token'],
  exportLosses: (value, target) => {
    if (value.kind === 'token')
      return [
        {
          feature: 'auth token',
          detail: `not exported: ${target === 'nginx' || target === 'caddy' ? target : 'Kubernetes'} has no portico-style token gate; use basic auth or your identity proxy`,
        },
      ];
    if (target === 'nginx')
      return [
        {
          feature: `auth basic:${value.user}`,
          detail:
            "approximated: `auth_basic` is written, but nginx cannot read portico's scrypt hash: create the file it names with `htpasswd -c FILE " +
            value.user +
            '`',
        },
      ];
    if (target === 'caddy')
      return [
        {
          feature: `auth basic:${value.user}`,
          detail:
            "approximated: `basicauth` is written with a placeholder, since Caddy cannot read portico's scrypt hash: replace it with the output of `caddy hash-password`",
        },
      ];
    return [{feature: `auth basic:${value.user}`, detail: 'not exported: set authentication in your Gateway or Ingress controller'}];
  },
};
