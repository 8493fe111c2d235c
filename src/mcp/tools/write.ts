import {z} from 'zod';
import {addRouteCommand} from '../../cli/add.js';
import {clearCacheCommand} from '../../cli/cache.js';
import {replayRequest} from '../../cli/replay.js';
import {removeRouteCommand} from '../../cli/rm.js';
import {useCopyCommand} from '../../cli/use.js';
import {STRATEGIES} from '../../routes/types.js';
import {jsonResult} from '../result.js';
import {EXCHANGE_ID} from './exchange.js';
import {WRITE_NOTE, defineTool} from '../tool.js';

/** The CLI services print as they go; a tool returns their result instead. */
const quiet = () => {};

export const addRoute = defineTool({
  name: 'add_route',
  description: `Add a route or instances, as \`portico add\`: https://<host>[/path] to local targets. ${WRITE_NOTE}`,
  write: true,
  input: {
    route: z.string().describe('host or host/path, e.g. app.localhost/api'),
    targets: z.array(z.string()).min(1).describe('9090, host:port or http(s)://host:port'),
    strategy: z.enum(STRATEGIES as [string, ...string[]]).optional(),
    health: z.string().optional().describe('health check path'),
    stripPrefix: z.boolean().optional(),
    replace: z.boolean().optional().describe("replace the route's targets and options"),
  },
  async run(args, ctx) {
    await ctx.daemon();
    const result = await addRouteCommand({
      paths: ctx.paths,
      spec: args.route,
      targets: args.targets,
      strategy: args.strategy,
      health: args.health,
      stripPrefix: args.stripPrefix,
      replace: args.replace,
      out: quiet,
      warn: quiet,
    });
    return jsonResult(result);
  },
});

export const removeRoute = defineTool({
  name: 'remove_route',
  description: `Remove a route, or some of its targets, as \`portico rm\`. ${WRITE_NOTE}`,
  write: true,
  input: {route: z.string().describe('host or host/path'), targets: z.array(z.string()).optional().describe('only these targets')},
  async run(args, ctx) {
    await ctx.daemon();
    return jsonResult(await removeRouteCommand({paths: ctx.paths, spec: args.route, targets: args.targets ?? [], out: quiet}));
  },
});

export const replay = defineTool({
  name: 'replay_request',
  description: `Send a captured request again through portico (same method, URL, headers, body); it shows up as a new request. ${WRITE_NOTE}`,
  write: true,
  input: {id: EXCHANGE_ID},
  async run({id}, ctx) {
    await ctx.daemon();
    return jsonResult(await replayRequest({paths: ctx.paths, id: String(id), out: quiet, json: true}));
  },
});

export const clearCache = defineTool({
  name: 'clear_cache',
  description: `Empty a route's response cache (--cache), or every route's. ${WRITE_NOTE}`,
  write: true,
  input: {route: z.string().optional().describe('host or host/path; default: all')},
  async run({route}, ctx) {
    await ctx.daemon();
    return jsonResult(await clearCacheCommand({paths: ctx.paths, spec: route, json: true, out: quiet}));
  },
});

export const useCopy = defineTool({
  name: 'use_copy',
  description: `Serve another copy of an app at its stable address, as \`portico use\`. ${WRITE_NOTE}`,
  write: true,
  input: {
    copy: z.string().describe('copy name (fix-login) or address'),
    app: z.string().optional().describe('app, if ambiguous'),
  },
  async run({copy, app}, ctx) {
    await ctx.daemon();
    return jsonResult(await useCopyCommand({paths: ctx.paths, copy, ...(app ? {app} : {}), out: quiet}));
  },
});
