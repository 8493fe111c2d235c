import {z} from 'zod';
import {call} from '../../daemon/client.js';
import type {AddRouteRequest} from '../../daemon/protocol.js';
import {UserError} from '../../errors.js';
import {parseDuration} from '../../routes/duration.js';
import {describeOptions} from '../../routes/options-data.js';
import {DEFAULT_CACHE_BYTES, parseCors, parseDelay, parseDrop, parseFail, parseRateLimit, parseSize} from '../../routes/options.js';
import {parseRouteSpec} from '../../routes/parse.js';
import type {Route, RouteOptions, RouteTarget} from '../../routes/types.js';
import {jsonResult} from '../result.js';
import {WRITE_NOTE, defineTool} from '../tool.js';

const KEYS = ['delay', 'fail', 'drop', 'timeout', 'rateLimit', 'cache', 'compress', 'cors'] as const;

interface OptionArgs {
  delay?: string;
  fail?: string;
  drop?: string;
  timeout?: string;
  rateLimit?: string;
  cache?: string;
  compress?: boolean;
  cors?: string;
}

/** The options given, parsed with the words `portico add` and portico.json use. */
export function parseOptionArgs(args: OptionArgs): RouteOptions {
  const out: RouteOptions = {};
  if (args.delay !== undefined) out.delay = parseDelay(args.delay, 'delay');
  if (args.fail !== undefined) out.fail = parseFail(args.fail, 'fail');
  if (args.drop !== undefined) out.drop = parseDrop(args.drop, 'drop');
  if (args.timeout !== undefined) out.timeout = parseDuration(args.timeout, 'timeout');
  if (args.rateLimit !== undefined) out.rateLimit = parseRateLimit(args.rateLimit, undefined, 'rateLimit');
  if (args.cache !== undefined) out.cache = {maxBytes: args.cache === 'on' ? DEFAULT_CACHE_BYTES : parseSize(args.cache, 'cache')};
  if (args.compress) out.compress = true;
  if (args.cors !== undefined) out.cors = parseCors(args.cors === '*' ? true : args.cors, 'cors');
  return out;
}

/**
 * The control requests that give `existing` exactly the options `next` and nothing else new. The
 * control API merges options key by key and cannot unset one, so the first request replaces the whole
 * set; the route's own targets go along grouped by the `portico run` owning them (owner and directory
 * re-sent), so no instance changes hands.
 */
export function optionRequests(existing: Route, spec: string, next: RouteOptions): AddRouteRequest[] {
  const groups = new Map<string, RouteTarget[]>();
  for (const t of existing.targets) {
    const key = `${t.owner ?? ''} ${t.dir ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()].map((group, i) => {
    const {owner, dir} = group[0]!;
    return {spec, targets: group.map((t) => t.url), ...(i === 0 ? {replace: true, options: next} : {}), ...(owner ? {owner, join: true, ...(dir ? {dir} : {})} : {})};
  });
}

export const setRouteOptions = defineTool({
  name: 'set_route_options',
  description: `Set or turn off front-door options on a route (as \`portico add\` flags), e.g. fail 50%:503 or delay 2s for a test run. ${WRITE_NOTE}`,
  write: true,
  input: {
    route: z.string().describe('host or host/path'),
    delay: z.string().optional().describe('300ms or 300ms-1s'),
    fail: z.string().optional().describe('10% or 10%:503'),
    drop: z.string().optional().describe('5%: reset connections'),
    timeout: z.string().optional().describe('wait for response headers: 30s'),
    rateLimit: z.string().optional().describe('20/s or 20/s,burst=40'),
    cache: z.string().optional().describe('on or a size: 64MB'),
    compress: z.boolean().optional(),
    cors: z.string().optional().describe('* or comma-separated origins'),
    off: z.array(z.enum(KEYS)).optional().describe('options to turn off'),
  },
  async run(args, ctx) {
    const changes = parseOptionArgs(args);
    if (Object.keys(changes).length === 0 && !args.off?.length && args.compress === undefined) throw new UserError('Nothing to change: give an option to set (delay, fail, drop, ...) or `off`.');
    const {host, path} = parseRouteSpec(args.route);
    await ctx.daemon();
    const existing = (await call(ctx.paths, 'routes')).find((r) => r.host === host && r.path === path);
    if (!existing) throw new UserError(`No route \`${args.route}\` to change.`, {hint: 'list_routes shows the routes; add_route adds one.'});
    const next: RouteOptions = {...existing.options, ...changes};
    for (const key of args.off ?? []) delete next[key];
    if (args.compress === false) delete next.compress;
    const notices: string[] = [];
    let route: Route | undefined;
    for (const body of optionRequests(existing, args.route, next)) {
      const answer = await call(ctx.paths, 'addRoute', body);
      route = answer.route;
      notices.push(...(answer.notices ?? []));
    }
    return jsonResult({route: args.route, options: describeOptions(route?.options), ...(notices.length ? {notices} : {})});
  },
});
