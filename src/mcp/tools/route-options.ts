import {z} from 'zod';
import {call} from '../../daemon/client.js';
import type {AddRouteRequest} from '../../daemon/protocol.js';
import {listDomains} from '../../domains/files.js';
import {UserError} from '../../errors.js';
import {describeOptions} from '../../routes/options-data.js';
import {FEATURES, type OptionKey} from '../../routes/features/index.js';
import {parseRouteSpec, weightedTargetSpec} from '../../routes/parse.js';
import type {Route, RouteOptions, RouteTarget} from '../../routes/types.js';
import {jsonResult} from '../result.js';
import {WRITE_NOTE, defineTool} from '../tool.js';

const KEYS = FEATURES.map((f) => f.key) as [OptionKey, ...OptionKey[]];

/** A value as portico.json writes it (`"300ms-1s"`, `true`, `["X-A: 1"]`); its feature checks it, with one sentence when wrong. */
const projectValue = z.unknown().optional();

/** One input per front-door feature, keyed and worded as in portico.json, so a new feature is an input at once. */
const optionInputs = Object.fromEntries(FEATURES.map((f) => [f.key, projectValue.describe(f.flags[0]?.helpValue ?? 'true')])) as Record<
  OptionKey,
  typeof projectValue
>;

/** The options given, each read by its feature exactly as a portico.json key is. */
export function parseOptionArgs(args: Partial<Record<OptionKey, unknown>>): RouteOptions {
  const out: Record<string, unknown> = {};
  for (const feature of FEATURES) {
    const value = args[feature.key];
    if (value === undefined) continue;
    const parsed = feature.fromProject(value);
    if (parsed !== undefined) out[feature.key] = parsed;
  }
  return out as RouteOptions;
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
    return {
      spec,
      targets: group.map(weightedTargetSpec),
      ...(i === 0 ? {replace: true, options: next} : {}),
      ...(owner ? {owner, join: true, ...(dir ? {dir} : {})} : {}),
    };
  });
}

export const setRouteOptions = defineTool({
  name: 'set_route_options',
  description: `Set or turn off front-door options on a route (values as in portico.json), e.g. fail "50%:503" or delay "2s" for a test run. ${WRITE_NOTE}`,
  write: true,
  input: {
    route: z.string().describe('host or host/path'),
    ...optionInputs,
    off: z.array(z.enum(KEYS)).optional().describe('options to turn off'),
  },
  async run(args, ctx) {
    const changes = parseOptionArgs(args);
    // `false` turns an option off, as in portico.json; so does naming it in `off`.
    const off = [...(args.off ?? []), ...KEYS.filter((key) => args[key] === false)];
    if (Object.keys(changes).length === 0 && off.length === 0)
      throw new UserError('Nothing to change: give an option to set (delay, fail, drop, ...) or `off`.');
    const {host, path} = parseRouteSpec(args.route, listDomains(ctx.paths.home));
    await ctx.daemon();
    const existing = (await call(ctx.paths, 'routes')).find((r) => r.host === host && r.path === path);
    if (!existing) throw new UserError(`No route \`${args.route}\` to change.`, {hint: 'list_routes shows the routes; add_route adds one.'});
    const next: RouteOptions = {...existing.options, ...changes};
    for (const key of off) delete next[key];
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
