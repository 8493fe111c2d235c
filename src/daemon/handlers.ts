import {ExitCode, UserError} from '../errors.js';
import type {CacheRegistry} from '../frontdoor/cache-registry.js';
import type {Route} from '../routes/types.js';
import type {ControlHandlers} from './api.js';
import {clearCache} from './cache.js';
import {useCopy} from './copies.js';
import type {EventHub} from './hub.js';
import type {Status} from './protocol.js';
import {replay} from './replay.js';
import {addRoute, removeRoute, setProjectRoutes} from './routes.js';
import {count} from '../text.js';

/** What the control handlers read and change of a running daemon; runDaemon provides it. */
export interface HandlerContext {
  /** The routes being served. */
  routes(): readonly Route[];
  /** Persist, then serve `next` (throws a UserError, changing nothing, when the disk refuses); resolves once every process serves it. */
  commit(next: Route[]): Promise<void>;
  /** The live status; with `probeMaxAgeMs`, targets of routes without traffic are probed first unless probed within it. */
  status(probeMaxAgeMs?: number): Promise<Status>;
  /** Ports a route must not point at: they are portico's own. */
  selfPorts(): number[];
  hub: EventHub;
  caches: CacheRegistry;
  /** Where a replay goes: the proxy's port, and the CA its certificate chains to. */
  replayTarget(): {port: number; ca: string};
  /** The public HTTPS port, for the URLs `portico use` answers with. */
  port(): number;
  /** Which copy each stable host serves by default (README "Copies of an app"). */
  uses(): ReadonlyMap<string, string>;
  /** Persist, then serve, new default copies (throws a UserError, changing nothing, when the disk refuses). */
  commitUses(next: Map<string, string>): Promise<void>;
  /** Graceful stop, started after the answer to `/shutdown` is sent. */
  stop(): Promise<void>;
  log(line: string): void;
  /** The suffixes added with `portico domain add`, read when a route comes in (README "Your own dev domains"). */
  domains(): readonly string[];
}

/** The daemon's answer to each endpoint of the control API (api.ts); route changes are logged. */
export function controlHandlers(ctx: HandlerContext): ControlHandlers {
  return {
    status: () => ctx.status(),
    probedStatus: ({maxAgeMs}) => ctx.status(maxAgeMs ?? 0),
    routes: () => [...ctx.routes()],
    async addRoute(request) {
      const result = addRoute(ctx.routes(), request, ctx.selfPorts(), ctx.domains());
      await ctx.commit(result.routes);
      ctx.log(`${result.created ? 'added' : 'updated'} ${result.route.host}${result.route.path} -> ${result.route.targets.map((t) => t.url).join(', ')}`);
      return {route: result.route, created: result.created, notices: result.notices};
    },
    async removeRoute(request) {
      const result = removeRoute(ctx.routes(), request);
      await ctx.commit(result.routes);
      ctx.log(`removed ${result.removed.host}${result.removed.path} ${result.route ? result.removed.targets.map((t) => t.url).join(', ') : ''}`);
      return {removed: result.removed, ...(result.route ? {route: result.route} : {})};
    },
    async projectRoutes(request) {
      const result = setProjectRoutes(ctx.routes(), request, ctx.selfPorts(), ctx.domains());
      await ctx.commit(result.routes);
      ctx.log(`project ${request.project}: ${count(request.routes.length, 'route')}`);
      return {...result, routes: ctx.routes().filter((r) => r.project === request.project)};
    },
    clearCache(request) {
      const result = clearCache(ctx.routes(), ctx.caches, request);
      ctx.log(`cache cleared: ${result.cleared.map((c) => `${c.route} (${c.responses})`).join(', ') || 'no caches'}`);
      return result;
    },
    async useCopy(request) {
      const {uses, result} = useCopy(ctx.routes(), ctx.uses(), request, ctx.port());
      await ctx.commitUses(uses);
      ctx.log(`${result.stable} serves the copy ${result.copy}`);
      return result;
    },
    exchanges: () => ctx.hub.captures.all(),
    exchange({id}) {
      const capture = ctx.hub.captures.get(id);
      if (!capture)
        throw new UserError(`Request ${id} was not captured (capture is on only while \`portico dash\` is open), or it was evicted.`, {
          exit: ExitCode.notFound,
        });
      return capture;
    },
    replay({id}) {
      const event = ctx.hub.history().find((e) => e.type === 'request' && e.id === id);
      return replay(id, {capture: ctx.hub.captures.get(id), event: event?.type === 'request' ? event : undefined}, ctx.replayTarget());
    },
    shutdown() {
      setImmediate(() => void ctx.stop());
      return {ok: true};
    },
  };
}
