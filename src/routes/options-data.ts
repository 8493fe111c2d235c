import {UserError} from '../errors.js';
import {DEFAULT_CACHE_BYTES, parseCors, parseDelay, parseDrop, parseFail, parseHeaderRule, parseRateLimit, parseSize} from './options.js';
import type {HeaderRule, RouteOptions} from './types.js';

/**
 * RouteOptions as data: the portico.json keys (written like the flags) and the stored form
 * (routes.json, control API), checked once on the way in.
 */

/** The front-door keys a portico.json route object may hold. */
export const PROJECT_OPTION_KEYS = ['cache', 'compress', 'requestHeaders', 'responseHeaders', 'cors', 'rateLimit', 'delay', 'fail', 'drop'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const stringOf = (key: string, value: unknown): string => {
  if (typeof value !== 'string') throw new UserError(`\`${key}\` must be a string, got ${JSON.stringify(value)}.`);
  return value;
};

/**
 * portico.json: `"cache": true | "64MB"`, `"compress": true`, `"responseHeaders": ["X-Frame-Options: DENY", "-Server"]`,
 * `"cors": true | "https://a.localhost" | [...]`, `"rateLimit": "20/s,burst=40"`, `"delay": "300ms-1s"`,
 * `"fail": "10%:503"`, `"drop": "5%"`. Keys absent or false mean off.
 */
export function parseProjectOptions(value: Record<string, unknown>): RouteOptions {
  const options: RouteOptions = {};
  const {cache, compress, requestHeaders, responseHeaders, cors, rateLimit, delay, fail, drop} = value;
  if (cache !== undefined && cache !== false) options.cache = {maxBytes: cache === true ? DEFAULT_CACHE_BYTES : parseSize(stringOf('cache', cache), 'cache')};
  if (compress !== undefined) {
    if (typeof compress !== 'boolean') throw new UserError(`\`compress\` must be true or false, got ${JSON.stringify(compress)}.`);
    if (compress) options.compress = true;
  }
  const rules = (key: string, list: unknown): HeaderRule[] => {
    if (!Array.isArray(list)) throw new UserError(`\`${key}\` must be a list like ["X-Frame-Options: DENY", "-Server"], got ${JSON.stringify(list)}.`);
    return list.map((item) => parseHeaderRule(stringOf(key, item), key));
  };
  if (requestHeaders !== undefined) options.requestHeaders = rules('requestHeaders', requestHeaders);
  if (responseHeaders !== undefined) options.responseHeaders = rules('responseHeaders', responseHeaders);
  if (cors !== undefined && cors !== false) {
    options.cors = cors === true ? {origins: ['*']} : parseCors(Array.isArray(cors) ? cors.map((o) => stringOf('cors', o)).join(',') : stringOf('cors', cors), 'cors');
  }
  if (rateLimit !== undefined) options.rateLimit = parseRateLimit(stringOf('rateLimit', rateLimit), undefined, 'rateLimit');
  if (delay !== undefined) options.delay = parseDelay(stringOf('delay', delay), 'delay');
  if (fail !== undefined) options.fail = parseFail(stringOf('fail', fail), 'fail');
  if (drop !== undefined) options.drop = parseDrop(stringOf('drop', drop), 'drop');
  return options;
}

const num = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/**
 * The stored form (routes.json, control API): every field checked, unknown fields dropped, so
 * nothing unchecked reaches the proxy. Throws a plain Error saying which field is off.
 */
export function validateRouteOptions(data: unknown): RouteOptions | undefined {
  if (data === undefined) return undefined;
  if (!isObject(data)) throw new Error('options is not an object');
  const out: RouteOptions = {};
  const bad = (key: string) => new Error(`options.${key} is ${JSON.stringify(data[key])}`);
  const {timeout, cache, compress, requestHeaders, responseHeaders, cors, rateLimit, delay, fail, drop} = data as Record<string, any>;
  if (timeout !== undefined) {
    if (!num(timeout, 1)) throw bad('timeout');
    out.timeout = timeout;
  }
  if (cache !== undefined) {
    if (!isObject(cache) || !num(cache.maxBytes, 1024)) throw bad('cache');
    out.cache = {maxBytes: cache.maxBytes};
  }
  if (compress === true) out.compress = true;
  const rules = (key: string, list: unknown): HeaderRule[] => {
    if (!Array.isArray(list)) throw bad(key);
    return list.map((r: unknown) => {
      if (!isObject(r) || typeof r.name !== 'string' || (r.value !== undefined && typeof r.value !== 'string')) throw bad(key);
      return parseHeaderRule(r.value === undefined ? `-${r.name}` : `${r.name}: ${r.value}`, `options.${key}`);
    });
  };
  if (requestHeaders !== undefined) out.requestHeaders = rules('requestHeaders', requestHeaders);
  if (responseHeaders !== undefined) out.responseHeaders = rules('responseHeaders', responseHeaders);
  if (cors !== undefined) {
    if (!isObject(cors) || !Array.isArray(cors.origins) || !cors.origins.every((o) => typeof o === 'string')) throw bad('cors');
    out.cors = cors.origins.includes('*') ? {origins: ['*']} : parseCors((cors.origins as string[]).join(','), 'options.cors');
  }
  if (rateLimit !== undefined) {
    if (!isObject(rateLimit) || !num(rateLimit.perSecond, Number.MIN_VALUE) || !Number.isInteger(rateLimit.burst) || !num(rateLimit.burst, 1)) throw bad('rateLimit');
    out.rateLimit = {perSecond: rateLimit.perSecond, burst: rateLimit.burst};
  }
  if (delay !== undefined) {
    if (!isObject(delay) || !num(delay.minMs, 0) || !num(delay.maxMs, delay.minMs as number, 600_000)) throw bad('delay');
    out.delay = {minMs: delay.minMs, maxMs: delay.maxMs};
  }
  if (fail !== undefined) {
    if (!isObject(fail) || !num(fail.rate, 0, 1) || !Number.isInteger(fail.status) || !num(fail.status, 400, 599)) throw bad('fail');
    out.fail = {rate: fail.rate, status: fail.status};
  }
  if (drop !== undefined) {
    if (!isObject(drop) || !num(drop.rate, 0, 1)) throw bad('drop');
    out.drop = {rate: drop.rate};
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Later options win key by key (`portico add` on an existing route changes only what it names). */
export function mergeRouteOptions(base: RouteOptions | undefined, next: RouteOptions | undefined): RouteOptions | undefined {
  const merged = {...base, ...next};
  return Object.keys(merged).length > 0 ? merged : undefined;
}

const formatBytes = (n: number): string => (n % 1024 ** 3 === 0 ? `${n / 1024 ** 3}GB` : n % 1024 ** 2 === 0 ? `${n / 1024 ** 2}MB` : n % 1024 === 0 ? `${n / 1024}KB` : `${n}B`);
const formatMs = (n: number): string => (n >= 1000 && n % 100 === 0 ? `${n / 1000}s` : `${n}ms`);
const formatShare = (r: number): string => `${+(r * 100).toFixed(2)}%`;

/** One short word group per option, as a user would type it again: `cache 64MB`, `fail 10%:503`. */
export function describeOptions(options: RouteOptions | undefined): string[] {
  if (!options) return [];
  const out: string[] = [];
  if (options.timeout !== undefined) out.push(`timeout ${formatMs(options.timeout)}`);
  if (options.cache) out.push(`cache ${formatBytes(options.cache.maxBytes)}`);
  if (options.compress) out.push('compress');
  const rule = (r: HeaderRule) => (r.value === undefined ? `-${r.name}` : `${r.name}: ${r.value}`);
  for (const r of options.requestHeaders ?? []) out.push(`request-header ${rule(r)}`);
  for (const r of options.responseHeaders ?? []) out.push(`response-header ${rule(r)}`);
  if (options.cors) out.push(`cors ${options.cors.origins.join(',')}`);
  if (options.rateLimit) out.push(`rate-limit ${+options.rateLimit.perSecond.toFixed(3)}/s burst ${options.rateLimit.burst}`);
  if (options.delay) out.push(`delay ${formatMs(options.delay.minMs)}${options.delay.maxMs !== options.delay.minMs ? `-${formatMs(options.delay.maxMs)}` : ''}`);
  if (options.fail) out.push(`fail ${formatShare(options.fail.rate)}:${options.fail.status}`);
  if (options.drop) out.push(`drop ${formatShare(options.drop.rate)}`);
  return out;
}
