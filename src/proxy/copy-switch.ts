import type {IncomingHttpHeaders} from 'node:http';
import {findMember, type CopyGroup, type CopyMember} from '../routes/copies.js';
import {LIST_PATH, USE_PATH, copiesPage, unknownCopyPage} from './copy-pages.js';

/**
 * Which copy of an app the stable host serves to this request (README "Copies of an app"), in order:
 * portico's own paths (`/.portico/use/<copy>` sets the cookie, `/.portico/copies` lists), the switch
 * header, the switch query parameter (sets the cookie and redirects without it), the switch cookie,
 * then the group's default. A name that is not one of the group's copies gets a 404 listing them:
 * the request never falls through to another copy or route.
 */

/** portico's own answer on a stable host (a switch's redirect, the copies page, a 404); front.ts writes it as a refusal. */
export interface CopyAnswer {
  status: number;
  reason: string;
  /** Short text for the traffic log. */
  error: string;
  page?: string;
  headers?: Record<string, string>;
}

export interface Chosen {
  member: CopyMember;
  /** How it was chosen, for the traffic view. */
  by: 'default' | 'header' | 'query' | 'cookie';
}

/** `port`: the public HTTPS port, for the copies' own addresses on portico's pages. */
export function chooseCopy(method: string, url: string, headers: IncomingHttpHeaders, group: CopyGroup, port: number): Chosen | CopyAnswer {
  const sw = group.switch;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const cookie = readCookie(headers.cookie, sw.cookie);
  if (path.startsWith(USE_PATH)) return useLink(group, decodeSafe(path.slice(USE_PATH.length)), q === -1 ? '' : url.slice(q + 1), port);
  if (path === LIST_PATH) return {status: 200, reason: `The copies of ${group.stable}.`, error: 'copies page', page: copiesPage(group, cookie, port)};
  const header = headers[sw.header];
  if (typeof header === 'string' && header !== '') return pick(group, header, 'header', port);
  if (q !== -1) {
    const params = new URLSearchParams(url.slice(q + 1));
    const wanted = params.get(sw.query);
    if (wanted !== null) {
      const member = findMember(group, wanted);
      if (!member) return unknown(group, wanted, port);
      if (method !== 'GET' && method !== 'HEAD') return {member, by: 'query'};
      params.delete(sw.query);
      const rest = params.toString();
      return switchTo(group, member, `${path}${rest ? `?${rest}` : ''}`);
    }
  }
  if (cookie !== undefined) return pick(group, cookie, 'cookie', port);
  return {member: findMember(group, group.serving)!, by: 'default'};
}

function pick(group: CopyGroup, name: string, by: Chosen['by'], port: number): Chosen | CopyAnswer {
  const member = findMember(group, name);
  return member ? {member, by} : unknown(group, name, port);
}

function unknown(group: CopyGroup, name: string, port: number): CopyAnswer {
  return {status: 404, reason: `${group.stable} has no copy named ${name}.`, error: `no copy ${name.slice(0, 63)}`, page: unknownCopyPage(group, name, port)};
}

/** `/.portico/use/<copy>?to=/path`: set the cookie, then go to `to` (a path on this host only), default `/`. */
function useLink(group: CopyGroup, name: string, query: string, port: number): CopyAnswer {
  if (name === '') return {status: 200, reason: `The copies of ${group.stable}.`, error: 'copies page', page: copiesPage(group, undefined, port)};
  const member = findMember(group, name);
  if (!member) return unknown(group, name, port);
  const to = new URLSearchParams(query).get('to');
  // Only a path on this host: never an open redirect.
  return switchTo(group, member, to?.startsWith('/') && !to.startsWith('//') && !to.startsWith('/\\') ? to : '/');
}

/**
 * The cookie is SameSite=Lax on the stable host, so the redirect back from an OAuth provider (a
 * top-level GET) carries it and the callback reaches the copy that started the login.
 */
function switchTo(group: CopyGroup, member: CopyMember, location: string): CopyAnswer {
  const cookie = `${group.switch.cookie}=${member.name}; Path=/; Secure; HttpOnly; SameSite=Lax`;
  return {
    status: 303,
    reason: `This browser now sees the copy ${member.name} of ${group.stable}.`,
    error: `switched to copy ${member.name}`,
    headers: {location, 'set-cookie': cookie},
  };
}

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
