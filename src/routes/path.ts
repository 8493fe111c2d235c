import {InputError} from '../errors.js';

/**
 * Normalise a request path the way a backend will read it, so that routing and the backend agree:
 * `/api/../admin` routes as `/admin`, `/%61pi` as `/api`, `//x` as `/x`. Percent-encoded unreserved
 * characters are decoded; encoded `/`, `?` and `#` stay encoded (they are data, not structure).
 */
export function normalizePath(rawPath: string): string {
  const decoded = rawPath.replace(/%([0-9a-fA-F]{2})/g, (match, hex: string) => {
    const ch = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(ch) ? ch : match.toUpperCase();
  });
  const out: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const trailing = decoded.length > 1 && decoded.endsWith('/') && out.length > 0 ? '/' : '';
  return `/${out.join('/')}${trailing}`;
}

/**
 * The one grammar of a route path prefix, shared by `add`, portico.json, routes.json and `export`:
 * segments of RFC 3986 unreserved characters, `%XX` escapes and `!+,=:@`. Characters that mean
 * something in another engine's config (`;`, `{`, `}`, quotes, `$`, `\`, `#`, spaces) never reach
 * one (README "Security model").
 */
const ROUTE_PATH = /^(?:\/(?:[A-Za-z0-9\-._~!+,=:@]|%[0-9A-Fa-f]{2})*)+$/;

/** Validate the path part of `host/path` given by a user; returns `/` or `/a/b` (no trailing slash). */
export function normalizeRoutePath(input: string, whole: string): string {
  if (input === '' || input === '/') return '/';
  if (/[?#\s]/.test(input)) {
    throw new InputError(`Invalid path in \`${printable(whole)}\`: \`${printable(input)}\` may not contain spaces, \`?\` or \`#\`.`);
  }
  if (!ROUTE_PATH.test(input.startsWith('/') ? input : `/${input}`)) {
    throw new InputError(`Invalid path in \`${printable(whole)}\`: \`${printable(input)}\` may hold only letters, digits, \`-._~!+,=:@\` and %XX escapes.`);
  }
  if (input.split('/').some((s) => s === '.' || s === '..')) {
    throw new InputError(`Invalid path in \`${whole}\`: \`${input}\` may not contain \`.\` or \`..\` segments.`);
  }
  const normalized = normalizePath(input.startsWith('/') ? input : `/${input}`);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/** True when `path` is `prefix` or lies under it on a segment boundary (`/api` covers `/api/x`, not `/apix`). */
export function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || (path.startsWith(prefix) && (path[prefix.length] === '/' || path[prefix.length] === undefined));
}

/** A health-check path: the route path grammar, then an optional query of the same characters plus `&` and `/`. */
const HEALTH_PATH = /^(?:\/(?:[A-Za-z0-9\-._~!+,=:@]|%[0-9A-Fa-f]{2})*)+(?:\?(?:[A-Za-z0-9\-._~!+,=:@&/]|%[0-9A-Fa-f]{2})*)?$/;

export function isHealthPath(input: string): boolean {
  return HEALTH_PATH.test(input);
}

/** Control characters made visible in a message. */
function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
