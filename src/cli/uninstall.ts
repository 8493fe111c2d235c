import {existsSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../errors.js';
import {stopDaemon} from '../daemon/lifecycle.js';
import {listDomains} from '../domains/files.js';
import {hostsFilePath, syncHostsFile} from '../hosts/sync.js';
import type {StatePaths} from '../state/home.js';
import {formatResults, parseStores, runTrust, trustContext} from '../trust/index.js';
import {readMarker} from '../trust/marker.js';
import {systemAnchorPresent} from '../trust/system.js';
import type {StoreName, StoreResult} from '../trust/types.js';
import {lanOff} from './lan.js';

export interface UninstallOptions {
  paths: StatePaths;
  /** Keep the CA (ca.pem, ca-key.pem) and the stores that trust it, for a later reinstall. Default false. */
  keepCa?: boolean;
  /** How the user invoked portico (`npx portico`), for the sudo line. */
  bin: string;
  env?: NodeJS.ProcessEnv;
  out: (line: string) => void;
}

/** What `uninstall --json` prints. */
export interface UninstallResult {
  /** Everything portico left on this machine is gone (but what --keep-ca kept). */
  complete: boolean;
  daemonStopped: boolean;
  stores: StoreResult[];
  hosts: {file: string; removed: boolean; error?: string};
  /** PORTICO_HOME, and what was kept in it. */
  state: {home: string; removed: boolean; kept: string[]};
  /** The one command that finishes what this user could not do, when there is one. */
  sudo?: string;
}

const CA_FILES = ['ca.pem', 'ca-key.pem'];

/**
 * Remove portico from this machine (README "Removing portico"): stop the daemon, untrust the CA in
 * every store it was trusted in, remove the hosts-file block, delete PORTICO_HOME. What needs root is
 * left for one `sudo` line, and the CA stays until then so that line can find what to untrust.
 */
export async function uninstall(options: UninstallOptions): Promise<UninstallResult> {
  const {paths, out} = options;
  const env = options.env ?? process.env;
  refuseOddHome(paths.home, env);
  const daemonStopped = await stopDaemon(paths);
  out(daemonStopped ? 'Stopped the portico daemon.' : 'The portico daemon was not running.');
  // Sharing on the LAN is its own process: it goes with the daemon.
  const lanLines: string[] = [];
  if ((await lanOff({paths, out: (line) => lanLines.push(line)})).stopped) for (const line of lanLines) out(line);

  const stores = options.keepCa || !existsSync(paths.caCert) ? [] : await untrustEverywhere(paths, env);
  const domainStores = options.keepCa ? [] : await untrustDomains(paths, env);
  if (stores.length + domainStores.length > 0) out(formatResults([...stores, ...domainStores]));
  const domainsLeft = domainStores.some((r) => !r.ok && !r.skipped);
  const storesLeft = domainsLeft || stores.some((r) => !r.ok || (r.advice && r.store !== 'node'));

  const hosts = removeHostsBlock(env);
  if (hosts.error) out(`→ hosts: ${hosts.error}`);
  else out(hosts.removed ? `Removed portico's block from ${hosts.file}.` : `${hosts.file} has no portico block.`);

  const sudo = storesLeft || hosts.error ? `sudo ${options.bin} uninstall${options.keepCa ? ' --keep-ca' : ''}` : undefined;
  // Until the sudo line has run, the CA stays: it names what the system store must drop.
  const kept = [
    ...(options.keepCa || storesLeft ? CA_FILES : []),
    // An added domain's CA a store still trusts stays too, or portico could never untrust it again.
    ...(options.keepCa || domainsLeft ? ['domains'] : []),
  ].filter((f) => existsSync(path.join(paths.home, f)));
  const removed = deleteState(paths.home, kept);
  out(removed ? `Deleted ${paths.home}.` : kept.length > 0 ? `Deleted ${paths.home} but ${kept.join(' and ')}.` : `${paths.home} did not exist.`);
  if (sudo) out(`To finish, run: ${sudo}`);
  return {
    complete: sudo === undefined,
    daemonStopped,
    stores: [...stores, ...domainStores],
    hosts,
    state: {home: paths.home, removed, kept},
    ...(sudo ? {sudo} : {}),
  };
}

/** A PORTICO_HOME that is a home or the filesystem root is a mistake, not something to delete. */
function refuseOddHome(home: string, env: NodeJS.ProcessEnv): void {
  const resolved = path.resolve(home);
  const homes = [path.parse(resolved).root, os.homedir(), env.HOME].filter((h): h is string => !!h).map((h) => path.resolve(h));
  if (homes.includes(resolved)) {
    throw new UserError(`Refusing to delete PORTICO_HOME \`${home}\`: it is a home or root directory, not portico's own.`, {
      exit: 2,
      hint: "Point PORTICO_HOME at portico's directory (default ~/.portico).",
    });
  }
}

/** Untrust in the stores trust.json names, NSS (browsers) always, and the system store when its anchor is there. */
async function untrustEverywhere(paths: StatePaths, env: NodeJS.ProcessEnv): Promise<StoreResult[]> {
  const ctx = await trustContext(paths, env);
  const marked = readMarker(ctx.home, ctx.fingerprint256)?.stores ?? [];
  const stores = new Set<StoreName>(['nss', ...marked, 'node']);
  if (systemAnchorPresent(ctx)) stores.add('system');
  const ordered = (['system', 'nss', 'java', 'node'] as const).filter((s) => stores.has(s));
  return (await runTrust({paths, action: 'uninstall', selection: {stores: ordered, explicit: false}, env})).results;
}

/** Untrust each added domain's CA (README "Your own dev domains") wherever `domain rm` would. */
async function untrustDomains(paths: StatePaths, env: NodeJS.ProcessEnv): Promise<StoreResult[]> {
  const results: StoreResult[] = [];
  for (const domain of listDomains(paths.home)) {
    results.push(...(await runTrust({paths, action: 'uninstall', selection: parseStores(undefined, env), env, domain})).results);
  }
  return results;
}

function removeHostsBlock(env: NodeJS.ProcessEnv): {file: string; removed: boolean; error?: string} {
  const file = hostsFilePath(env);
  try {
    return {file, removed: syncHostsFile(file, [])};
  } catch (error) {
    return {file, removed: false, error: (error as Error).message};
  }
}

/** Delete PORTICO_HOME but the `keep` files; true when the directory is gone. */
function deleteState(home: string, keep: readonly string[]): boolean {
  if (!existsSync(home)) return false;
  if (keep.length === 0) {
    rmSync(home, {recursive: true, force: true, maxRetries: 5});
    return true;
  }
  for (const entry of readdirSync(home)) if (!keep.includes(entry)) rmSync(path.join(home, entry), {recursive: true, force: true, maxRetries: 5});
  return false;
}
