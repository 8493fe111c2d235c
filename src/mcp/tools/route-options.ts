import {z} from 'zod';
import {request} from '../../daemon/client.js';
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

/** Targets grouped by the `portico run` that owns them: re-sent each with its owner, so no instance changes hands. */
function ownerGroups(targets: readonly RouteTarget[]): RouteTarget[][] {
  const groups = new Map<string, RouteTarget[]>();
  for (const t of targets) {
    const key = `${t.owner ?? ''} ${t.dir ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()];
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
    const {host, path} = parseRouteSpec(args.route);
    await ctx.daemon();
    const existing = (await request<Route[]>(ctx.paths, 'GET', '/routes')).find((r) => r.host === host && r.path === path);
    if (!existing) throw new UserError(`No route \`${args.route}\` to change.`, {hint: 'list_routes shows the routes; add_route adds one.'});
    const next: RouteOptions = {...existing.options, ...changes};
    for (const key of args.off ?? []) delete next[key];
    if (args.compress === false) delete next.compress;
    // The control API merges options key by key and cannot unset one: send the whole set with
    // `replace`, and the route's own targets (with their owners) so that nothing else changes.
    const notices: string[] = [];
    let route: Route | undefined;
    for (const [i, group] of ownerGroups(existing.targets).entries()) {
      const owner = group[0]!.owner;
      const dir = group[0]!.dir;
      const body: AddRouteRequest = {spec: args.route, targets: group.map((t) => t.url), ...(i === 0 ? {replace: true, options: next} : {}), ...(owner ? {owner, join: true, ...(dir ? {dir} : {})} : {})};
      const answer = await request<{route: Route; notices?: string[]}>(ctx.paths, 'POST', '/routes/add', body);
      route = answer.route;
      notices.push(...(answer.notices ?? []));
    }
    return jsonResult({route: args.route, options: describeOptions(route?.options), ...(notices.length ? {notices} : {})});
  },
});
