import {readStatus} from '../daemon/lifecycle.js';
import {peekRoutes} from '../daemon/store.js';
import {hostsFilePath, syncHostsFile} from '../hosts/sync.js';
import type {StatePaths} from '../state/home.js';

export interface HostsOptions {
  paths: StatePaths;
  clean: boolean;
  out: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** What `hosts sync|clean --json` prints. */
export interface HostsResult {
  file: string;
  changed: boolean;
  names: string[];
}

export async function syncHosts(options: HostsOptions): Promise<HostsResult> {
  const file = hostsFilePath(options.env);
  const hosts = options.clean ? [] : ((await readStatus(options.paths))?.routes ?? peekRoutes(options.paths).routes).map((r) => r.host);
  const changed = syncHostsFile(file, hosts);
  if (options.clean) options.out(changed ? `Removed portico's block from ${file}.` : `${file} has no portico block.`);
  else options.out(changed ? `Wrote ${new Set(hosts).size} name(s) to ${file}.` : `${file} is already up to date (${new Set(hosts).size} name(s)).`);
  return {file, changed, names: [...new Set(hosts)]};
}
