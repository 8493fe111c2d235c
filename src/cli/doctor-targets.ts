import {readFileSync, readlinkSync} from 'node:fs';
import path from 'node:path';
import {shellQuote} from '../traffic/curl.js';
import {probeTcpOnce} from '../transport/probe.js';
import {parseTarget} from '../routes/parse.js';
import {routeKey} from '../routes/types.js';
import type {CopyStatus} from '../routes/status.js';
import type {Check} from './doctor-check.js';

/** What doctor needs of a route: the persisted Route or the daemon's RouteStatus. */
export interface RouteToCheck {
  host: string;
  path: string;
  /** Project directory whose portico.json declared it. */
  project?: string;
  targets: Array<{url: string; owner?: number}>;
  /** Set when the route is a copy of an app (the daemon's status); README "Copies of an app". */
  copy?: CopyStatus;
}

/** One check per target: does anything listen there now, and if not, what starts it. */
export async function targetChecks(routes: readonly RouteToCheck[], probeMs = 1000): Promise<Check[]> {
  return Promise.all(routes.flatMap((route) => route.targets.map((t) => targetCheck(route, t, probeMs))));
}

async function targetCheck(route: RouteToCheck, target: {url: string; owner?: number}, probeMs: number): Promise<Check> {
  const name = `target ${routeKey(route)} -> ${target.url}`;
  let parsed: ReturnType<typeof parseTarget>;
  try {
    parsed = parseTarget(target.url);
  } catch (error) {
    return {name, ok: false, detail: (error as Error).message, fix: `Remove it: \`portico rm ${routeKey(route)} ${target.url}\`.`};
  }
  const error = await probeTcpOnce(parsed, probeMs);
  if (error === undefined) return {name, ok: true, detail: `listening${target.owner ? ` (portico run, pid ${target.owner})` : ''}`};
  const where = parsed.dial.map((h) => (h.includes(':') ? `[${h}]` : h)).join(' or ');
  const detail = `nothing listens on ${where} port ${parsed.port} (${error})`;
  if (route.copy) return {name, ok: false, detail: `${copyOf(route.copy)}: ${detail}`, fix: `${startFix(route, target, parsed.port)}${copyFix(route.copy)}`};
  return {name, ok: false, detail, fix: startFix(route, target, parsed.port)};
}

/** `the copy fix-login (branch fix/login) of shop.localhost`. */
function copyOf(copy: CopyStatus): string {
  return `the copy ${copy.name}${copy.branch ? ` (branch ${copy.branch})` : ''} of ${copy.stable}`;
}

/** A copy that is down while the stable host serves it by default answers every client that picked no copy with a 502. */
function copyFix(copy: CopyStatus): string {
  if (!copy.serving) return ` Its own address ${copy.url} and browsers that switched to it get a 502 meanwhile; others are not affected.`;
  return ` https://${copy.stable} serves this copy by default, so every client that picked no copy gets a 502 meanwhile: serve another with \`portico use <copy>\` (see \`portico ls\`).`;
}

/** The command that would start a target: the owning `portico run`, the project's dev script, or a generic one. */
export function startFix(route: RouteToCheck, target: {url: string; owner?: number}, port: number): string {
  if (target.owner !== undefined) {
    const run = runCommandOf(target.owner);
    if (run)
      return `It belongs to \`portico run\` (pid ${target.owner}), which may be restarting it; if not, stop that and start it again: \`cd ${run.cwd} && ${run.command}\`.`;
    return `It belonged to \`portico run\` (pid ${target.owner}), which is gone: start it again with \`portico run\` in its project.`;
  }
  if (route.project) {
    const script = devScript(route.project);
    return `Declared by ${path.join(route.project, 'portico.json')}: start its dev server on port ${port}: \`cd ${route.project} && ${script ?? 'portico run -- <your dev command>'}\`.`;
  }
  return `Start the server on port ${port}, or let portico run it: \`portico run --name ${route.host.replace(/\.localhost$/, '')} -- <your dev command>\`; or remove it: \`portico rm ${routeKey(route)} ${target.url}\`.`;
}

/** The command line and directory of a running `portico run` (Linux /proc); undefined elsewhere or when gone. */
export function runCommandOf(pid: number): {command: string; cwd: string} | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    const at = argv.indexOf('run');
    if (at < 0) return undefined;
    // argv is node, the bin script, then the command's own arguments.
    const script = argv[at - 1] ?? 'portico';
    // A project-local install (node_modules/.bin/proxy) is not on PATH: npx finds it.
    const bin = `${script.includes(`node_modules${path.sep}.bin`) ? 'npx ' : ''}${path.basename(script).replace(/^run\.js$/, 'portico')}`;
    return {command: [bin, ...argv.slice(at).map(shellQuote)].join(' '), cwd};
  } catch {
    return undefined;
  }
}

/** `npm run dev` (or start) when the project's package.json has that script. */
function devScript(project: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as {scripts?: Record<string, string>};
    for (const name of ['dev', 'start']) if (pkg.scripts?.[name]) return name === 'start' ? 'npm start' : `npm run ${name}`;
  } catch {
    // no package.json
  }
  return undefined;
}
