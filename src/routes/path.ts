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

/** Validate the path part of `host/path` given by a user; returns `/` or `/a/b` (no trailing slash). */
export function normalizeRoutePath(input: string, whole: string): string {
  if (input === '' || input === '/') return '/';
  if (/[?#\s]/.test(input)) {
    throw new InputError(`Invalid path in \`${whole}\`: \`${input}\` may not contain spaces, \`?\` or \`#\`.`);
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
