import {UserError} from '../errors.js';
import {parseDuration} from './duration.js';
import {headerRuleProblem} from './header-policy.js';
import type {HeaderRule} from './types.js';

/**
 * The grammars of per-route options as users write them (sizes, shares, rates, header rules,
 * origins); the features in ./features/ use them for flags and portico.json keys alike.
 * Every parser throws a UserError naming the flag and the value: ``Invalid --delay `abc`: ...``.
 * `where` is the flag (`--delay`) or the portico.json key (`delay`), so the same words serve both.
 */

/** Default cache size when `--cache` is given without one. */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

const SIZE_UNITS: Record<string, number> = {'': 1, b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3};

function invalid(where: string, value: unknown, expected: string): UserError {
  return new UserError(`Invalid ${where} \`${typeof value === 'string' ? value : JSON.stringify(value)}\`: expected ${expected}.`, {exit: 2});
}

/** `64MB`, `512kb`, `1g`, `1048576` -> bytes (binary units: 1 KB = 1024 bytes). */
export function parseSize(text: string, where = '--cache'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*$/i.exec(text);
  const bytes = m ? Math.round(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1024) throw invalid(where, text, 'a size of at least 1KB like 64MB or 512KB');
  return bytes;
}

/** `300ms` or a range `300ms-1s` (the one duration grammar, src/routes/duration.ts), at most 10 minutes. */
export function parseDelay(text: string, where = '--delay'): {minMs: number; maxMs: number} {
  const [low, high, extra] = text.split('-');
  if (extra !== undefined) throw new UserError(`Invalid ${where} \`${text}\`: expected a duration like 300ms or a range like 300ms-1s.`, {exit: 2});
  const bounds = {minMs: 0, maxMs: 600_000};
  const minMs = parseDuration(low ?? '', where, bounds);
  const maxMs = high === undefined ? minMs : parseDuration(high, where, bounds);
  if (maxMs < minMs) throw invalid(where, text, 'a range from the shorter to the longer duration, like 300ms-1s');
  return {minMs, maxMs};
}

/** `10%`, `0.1` -> 0.1. */
function parseRate(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/.exec(text);
  if (!m) return undefined;
  const rate = m[2] ? Number(m[1]) / 100 : Number(m[1]);
  return rate >= 0 && rate <= 1 ? rate : undefined;
}

/** `10%` or `10%:503` (default status 503). */
export function parseFail(text: string, where = '--fail'): {rate: number; status: number} {
  const [rateText, statusText, extra] = text.split(':');
  const rate = parseRate(rateText ?? '');
  const status = statusText === undefined ? 503 : /^\d{3}$/.test(statusText.trim()) ? Number(statusText) : NaN;
  if (extra !== undefined || rate === undefined || !(status >= 400 && status <= 599)) {
    throw invalid(where, text, 'a share like 10% or 10%:503 (a 4xx or 5xx status)');
  }
  return {rate, status};
}

/** `5%`: reset that share of client connections. */
export function parseDrop(text: string, where = '--drop'): {rate: number} {
  const rate = parseRate(text);
  if (rate === undefined) throw invalid(where, text, 'a share like 5% (0-100%)');
  return {rate};
}

/** `20/s`, `20/s,burst=40`, `600/min`; burst defaults to one second's worth (at least 1). */
export function parseRateLimit(text: string, burstText?: string, where = '--rate-limit'): {perSecond: number; burst: number} {
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|sec|second|m|min|minute)\s*(?:,\s*burst\s*=\s*(\d+)\s*)?$/i.exec(text);
  const perSecond = m ? Number(m[1]) / (/^m/i.test(m[2]!) ? 60 : 1) : NaN;
  if (!m || !(perSecond > 0)) throw invalid(where, text, 'a rate like 20/s, 600/min or 20/s,burst=40');
  const rawBurst = burstText ?? m[3];
  const burst = rawBurst === undefined ? Math.max(1, Math.ceil(perSecond)) : Number(rawBurst);
  if (!Number.isInteger(burst) || burst < 1) throw invalid(`${where} burst`, rawBurst, 'a whole number of requests, at least 1');
  return {perSecond, burst};
}

/** `X-Frame-Options: DENY` sets, `-Server` removes; never a header that frames or routes a message. */
export function parseHeaderRule(text: string, where = '--response-header'): HeaderRule {
  const trimmed = text.trim();
  const removes = trimmed.startsWith('-');
  const colon = trimmed.indexOf(':', trimmed.startsWith(':') ? 1 : 0);
  if (!removes && colon === -1) throw invalid(where, text, "`Name: value` to set or `-Name` to remove, e.g. 'X-Frame-Options: DENY'");
  const name = removes ? trimmed.slice(1).trim() : trimmed.slice(0, colon).trim();
  const value = removes ? undefined : trimmed.slice(colon + 1).trim();
  const problem = headerRuleProblem(name, value);
  if (problem) throw new UserError(`Invalid ${where} \`${printable(text)}\`: \`${printable(name)}\` is refused because ${problem}.`, {exit: 2});
  return value === undefined ? {name: name.toLowerCase()} : {name: name.toLowerCase(), value};
}

/** A refused value is named in the sentence with its control characters made visible. */
function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * `--cors` (this portico's own HTTPS origins, with credentials), `--cors=*` (any origin, without
 * credentials), or a list: origins, `self`, `*` and `private-network` (README "CORS"). A list of only
 * `private-network` means `self,private-network`.
 */
export function parseCors(text: string | true, where = '--cors'): {origins: string[]} {
  if (text === true || text.trim() === '') return {origins: [CORS_SELF]};
  const words = text
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const origins: string[] = words.map((word) => (CORS_WORDS.has(word) ? word : corsOrigin(word, where)));
  if (!origins.some((o) => o !== CORS_PRIVATE_NETWORK)) origins.unshift(CORS_SELF);
  return {origins: [...new Set(origins)]};
}

/** The words a `--cors` list may hold besides origins (src/frontdoor/cors.ts gives them meaning). */
export const CORS_SELF = 'self';
export const CORS_ANY = '*';
export const CORS_PRIVATE_NETWORK = 'private-network';
const CORS_WORDS = new Set([CORS_SELF, CORS_ANY, CORS_PRIVATE_NETWORK]);

function corsOrigin(origin: string, where: string): string {
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
    throw invalid(where, origin, 'an origin like https://app.localhost (scheme, host and optional port, no path), `self`, `*` or `private-network`');
  }
  return url.origin;
}

/** `64MB`, `512KB`, `1536B`: how a size is shown. */
export function formatBytes(n: number): string {
  return n % 1024 ** 3 === 0 ? `${n / 1024 ** 3}GB` : n % 1024 ** 2 === 0 ? `${n / 1024 ** 2}MB` : n % 1024 === 0 ? `${n / 1024}KB` : `${n}B`;
}
