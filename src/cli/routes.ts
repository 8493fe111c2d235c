import {lanSummary, type LanSummary} from '../lan/summary.js';
import {lanLine} from './lan-line.js';
import chalk from 'chalk';
import type {Status} from '../daemon/protocol.js';
import type {CopyStatus, RouteStatus} from '../routes/status.js';
import {loadUses as uses} from '../daemon/copies.js';
import {copyLine, groupCopies, savedCopy} from './copies-list.js';
import {peekRoutes} from '../daemon/store.js';
import {readDaemonInfo, readStatus} from '../daemon/lifecycle.js';
import {describeOptions, shownOptions} from '../routes/options-data.js';
import type {RouteOptions} from '../routes/types.js';
import {describeOwner, routeOwner, type RouteOwner} from '../routes/owner.js';
import {routeUrl} from '../routes/url.js';
import type {StatePaths} from '../state/home.js';
import {readLastPort} from '../state/last-port.js';

/** The `ls --json` document, exactly as DESIGN.md shows it. */
export interface ListJson {
  /** pid and port are null while the daemon is not running: the keys are always there. */
  daemon: {running: boolean; pid: number | null; port: number | null};
  ca: string;
  routes: Array<{
    host: string;
    path: string;
    url: string;
    strategy: string;
    /** `weight` comes after the documented keys: the target's share of new requests (1 unless set; 0 drained). */
    targets: Array<{target: string; healthy: boolean; active: number; requests: number; weight: number; owner?: {pid: number; dir?: string}}>;
    /** After the documented shape, only for routes that have front-door options (cache, compress, cors, ...). */
    options?: RouteOptions;
    /** Added after the documented shape: who the route belongs to (a project, a `portico run`, or added by hand). */
    owner: RouteOwner;
    /** Added after the documented shape, only for copies of an app (README "Copies of an app"). */
    copy?: CopyStatus;
  }>;
  /** Added after the documented shape, only while `portico lan on` shares routes: portico then listens beyond loopback. */
  lan?: LanSummary;
}

export interface Listing {
  json: ListJson;
  status?: Status;
  routes: RouteStatus[];
  /** Why routes.json was read as empty while the daemon is down. */
  problem?: string;
  /** Set while `portico lan on` shares routes: portico then listens beyond loopback. */
  lan?: LanSummary;
}

/** Routes with live state from the daemon, or from routes.json (health unknown) when it is down. */
export async function listRoutes(paths: StatePaths): Promise<Listing> {
  const status = await readStatus(paths, {probe: true});
  const saved = status ? undefined : peekRoutes(paths);
  const lastPort = status ? undefined : (readDaemonInfo(paths)?.port ?? readLastPort(paths));
  const routes: RouteStatus[] =
    status?.routes ??
    saved!.routes.map((r) => ({
      host: r.host,
      path: r.path,
      // The daemon is down: the URL uses the port it ran on last (README "Ports"); before it ever
      // ran there is no port yet, and none is made up: the name and path alone.
      url: lastPort === undefined ? `${r.host}${r.path}` : routeUrl(r.host, r.path, lastPort),
      strategy: r.strategy,
      ...(r.health ? {health: r.health} : {}),
      stripPrefix: r.stripPrefix,
      owner: routeOwner(r),
      ...(r.options ? {options: shownOptions(r.options)} : {}),
      ...savedCopy(r, saved!.routes, uses(paths), readDaemonInfo(paths)?.port ?? 1443),
      targets: r.targets.map((t) => ({target: t.url, healthy: false, active: 0, requests: 0, weight: t.weight ?? 1, ...(t.owner ? {owner: t.owner} : {})})),
    }));
  const json: ListJson = {
    daemon: status ? {running: true, pid: status.pid, port: status.port} : {running: false, pid: null, port: null},
    ca: paths.caCert,
    routes: routes.map((r) => ({
      host: r.host,
      path: r.path,
      url: r.url,
      strategy: r.strategy,
      targets: r.targets.map((t) => ({
        target: t.target,
        healthy: t.healthy,
        active: t.active,
        requests: t.requests,
        weight: t.weight ?? 1,
        ...(t.owner ? {owner: {pid: t.owner, ...(r.owner?.kind === 'run' && r.owner.dir ? {dir: r.owner.dir} : {})}} : {}),
      })),
      ...(r.options ? {options: shownOptions(r.options)} : {}),
      owner: r.owner ?? {kind: 'hand'},
      ...(r.copy ? {copy: r.copy} : {}),
    })),
  };
  const lan = lanSummary(paths.home);
  // Added after the documented shape, only while sharing is on (README "Phones on the LAN").
  if (lan) json.lan = lan;
  const problem = saved?.problem
    ? `${saved.problem}; ${saved.repairable ? '`portico up` will move it aside and start with no routes' : 'point PORTICO_HOME at a directory (or unset it for ~/.portico)'}`
    : undefined;
  return {json, status, routes, ...(problem ? {problem} : {}), ...(lan ? {lan} : {})};
}

/** ` weight 3`, ` drained (weight 0)`, or nothing for the default 1. */
function weightNote(weight: number | undefined): string {
  if (weight === undefined || weight === 1) return '';
  return weight === 0 ? chalk.yellow('  drained (weight 0)') : chalk.cyan(`  weight ${weight}`);
}

/** A readable table: URL, then each target with a health mark, strategy and counts. */
export function formatListing(listing: Listing): string {
  const lines: string[] = [];
  const {status, routes} = listing;
  lines.push(
    status
      ? `portico ${chalk.green('running')} on port ${status.port} (pid ${status.pid}${(status.workers ?? 1) > 1 ? `; ${status.workers} processes serve connections` : ''})`
      : `portico ${chalk.yellow('not running')}: start it with \`portico up\``,
  );
  for (const notice of status?.notices ?? []) lines.push(chalk.yellow(`! ${notice}`));
  if (listing.lan) lines.push(chalk.yellow(lanLine(listing.lan)));
  if (listing.problem) lines.push(chalk.yellow(`! ${listing.problem}.`));
  if (routes.length === 0) {
    lines.push('No routes. Add one: portico add app.localhost 5173');
    return lines.join('\n');
  }
  lines.push('');
  for (const r of groupCopies(routes)) {
    // A copy beside the first one is drawn under its app.
    const pad = r.copy && r.host !== r.copy.stable ? '  ' : '';
    const extras = [
      r.strategy !== 'round-robin' || r.targets.length > 1 ? r.strategy : '',
      r.stripPrefix ? 'strip-prefix' : '',
      r.health ? `health ${r.health}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`${pad}${chalk.bold(r.url)}${extras ? chalk.dim(`  (${extras})`) : ''}  ${chalk.dim(describeOwner(r.owner ?? {kind: 'hand'}))}`);
    if (r.copy) lines.push(`${pad}  ${copyLine(r)}`);
    const options = describeOptions(r.options);
    if (options.length > 0) lines.push(`${pad}  ${chalk.cyan(options.join(' · '))}`);
    for (const t of r.targets) {
      const mark = !status ? chalk.dim('·') : t.healthy ? chalk.green('●') : chalk.red('○');
      const counts = status ? chalk.dim(`  ${t.requests} req, ${t.active} active${t.lastError && !t.healthy ? `, ${t.lastError}` : ''}`) : '';
      lines.push(`${pad}  ${mark} ${t.target}${weightNote(t.weight)}${counts}`);
    }
  }
  return lines.join('\n');
}
