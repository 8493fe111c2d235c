import {z} from 'zod';
import {listDomains} from '../../domains/files.js';
import type {RouteStatus} from '../../routes/status.js';
import {UserError} from '../../errors.js';
import {resolvesToLoopback} from '../../hosts/resolve.js';
import {indexRoutes, matchRoute} from '../../routes/match.js';
import {describeOptions} from '../../routes/options-data.js';
import {describeOwner} from '../../routes/owner.js';
import {parseRouteSpec} from '../../routes/parse.js';
import {shellQuote} from '../../traffic/curl.js';
import {trustHint} from '../../trust/hint.js';
import {jsonResult} from '../result.js';
import {defineTool} from '../tool.js';

export const listRoutes = defineTool({
  name: 'list_routes',
  description:
    'Routes portico serves (as `portico ls --json`): URL, targets with health, in-flight and request counts, last error, owner, strategy, front-door options.',
  input: {},
  async run(_args, ctx) {
    const status = await ctx.daemon();
    return jsonResult({
      daemon: {pid: status.pid, port: status.port, version: status.version},
      ca: status.ca,
      notices: status.notices,
      routes: status.routes.map((r) => ({...r, owner: describeOwner(r.owner ?? {kind: 'hand'}), ...(r.options ? {options: describeOptions(r.options)} : {})})),
    });
  },
});

/** `app.localhost`, `app.localhost/api` or a URL through portico, as a host and path to match. */
export function hostAndPath(input: string, domains: readonly string[] = []): {host: string; path: string} {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      return {host: url.hostname.toLowerCase(), path: url.pathname};
    } catch {
      throw new UserError(`Invalid route \`${input}\`: expected host, host/path or a URL.`);
    }
  }
  return parseRouteSpec(text, domains);
}

export const openRoute = defineTool({
  name: 'open_route',
  description:
    'How to open a route: its URL, whether browsers trust the portico CA, the NODE_EXTRA_CA_CERTS line for Node, a curl line, whether the name resolves here.',
  input: {route: z.string().optional().describe('host, host/path or URL; default: every route')},
  async run({route}, ctx) {
    const status = await ctx.daemon();
    let routes: RouteStatus[] = status.routes;
    if (route !== undefined) {
      const {host, path} = hostAndPath(route, listDomains(ctx.paths.home));
      const match = matchRoute(indexRoutes(status.routes), host, path);
      if (!match) throw new UserError(`No route serves \`${route}\`.`, {hint: `Routes: ${status.routes.map((r) => r.url).join(', ') || 'none'}.`});
      routes = [match];
    }
    const trusted = trustHint(ctx.paths) === undefined;
    return jsonResult({
      caTrustedByBrowsers: trusted,
      ...(trusted ? {} : {trustFix: 'Ask the user to run `portico trust` (it changes their trust stores).'}),
      ca: status.ca,
      node: `export NODE_EXTRA_CA_CERTS=${shellQuote(status.ca)}`,
      routes: await Promise.all(
        routes.map(async (r) => {
          const resolves = await resolvesToLoopback(r.host);
          return {
            url: r.url,
            healthyTargets: r.targets.filter((t) => t.healthy).length,
            targets: r.targets.length,
            curl: `curl --cacert ${shellQuote(status.ca)} ${shellQuote(r.url)}`,
            resolvesHere: resolves,
            ...(resolves ? {} : {resolveFix: 'Browsers and curl resolve it anyway; for Node, Python or Safari: `sudo portico hosts sync`.'}),
          };
        }),
      ),
    });
  },
});
