import {ExitCode, UserError} from '../errors.js';
import {DaemonNotRunning, call} from '../daemon/client.js';
import type {CacheClearRequest, CacheClearResult} from '../daemon/protocol.js';
import {listDomains} from '../domains/files.js';
import {parseRouteSpec} from '../routes/parse.js';
import type {StatePaths} from '../state/home.js';

export interface CacheClearOptions {
  paths: StatePaths;
  /** `host[/path]`; every route when absent. */
  spec?: string;
  json?: boolean;
  out: (line: string) => void;
}

const size = (bytes: number): string => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`);

/** Ask the daemon to empty caches. A daemon that is not running caches nothing: say so, never start one. */
export async function clearCacheCommand(options: CacheClearOptions): Promise<CacheClearResult> {
  if (options.spec !== undefined) parseRouteSpec(options.spec, listDomains(options.paths.home));
  const body: CacheClearRequest = options.spec === undefined ? {} : {spec: options.spec};
  let result: CacheClearResult;
  try {
    result = await call(options.paths, 'clearCache', body);
  } catch (error) {
    if (!(error instanceof DaemonNotRunning)) throw error;
    if (options.spec !== undefined)
      throw new UserError(`portico is not running, so nothing is cached for \`${options.spec}\`.`, {
        exit: ExitCode.failure,
        hint: "The cache lives in the daemon's memory; start it with `portico up`.",
      });
    result = {cleared: []};
  }
  if (options.json) options.out(JSON.stringify(result, null, 2));
  else if (result.cleared.length === 0) options.out('No route has a cache (add one with `portico add HOST TARGET --cache`).');
  else for (const c of result.cleared) options.out(`Cleared ${c.responses} cached response${c.responses === 1 ? '' : 's'} (${size(c.bytes)}) from ${c.route}.`);
  return result;
}
