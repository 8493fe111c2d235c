import {call} from '../daemon/client.js';
import {ensureDaemon} from '../daemon/lifecycle.js';
import type {UseCopyResult} from '../daemon/protocol.js';
import type {StatePaths} from '../state/home.js';

export interface UseOptions {
  paths: StatePaths;
  /** The copy's name (`fix-login`) or own address (`fix-login.shop.localhost`). */
  copy: string;
  /** The app (`shop` or `shop.localhost`) when several have a copy of that name. */
  app?: string;
  out: (line: string) => void;
}

/** `portico use <copy>`: the stable address serves this copy to every client that picks none (README "Copies of an app"). */
export async function useCopyCommand(options: UseOptions): Promise<UseCopyResult> {
  await ensureDaemon(options.paths, {onNotice: options.out});
  const result = await call(options.paths, 'useCopy', {copy: options.copy, ...(options.app ? {app: options.app} : {})});
  options.out(`${result.stableUrl} now serves the copy ${result.copy} (${result.url}).`);
  options.out(`A browser that picked another copy keeps it until it opens ${result.stableUrl}.portico/use/${result.copy}.`);
  return result;
}
