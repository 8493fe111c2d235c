import {existsSync, mkdirSync, rmSync, statSync} from 'node:fs';
import {caOwnerLabel, createCA, loadCAFiles, withCreateLock, type LoadedCA} from '../certs/ca.js';
import {suffixNameConstraints} from '../certs/x509.js';
import {ensureHome, type StatePaths} from '../state/home.js';
import {domainFiles} from './files.js';

/** Make the suffix's CA (key 0600, directory 0700) unless it exists; returns it and whether it is new. */
export async function createDomainCA(paths: StatePaths, suffix: string, now: () => number = Date.now): Promise<{ca: LoadedCA; created: boolean}> {
  ensureHome(paths.home);
  const files = domainFiles(paths.home, suffix);
  mkdirSync(files.dir, {recursive: true, mode: 0o700});
  return withCreateLock(files.key, () => {
    if (existsSync(files.cert)) return {ca: loadCAFiles(files), created: false};
    const spec = {
      commonName: `portico ${suffix} CA ${caOwnerLabel()}`,
      organizationName: 'portico local development CA',
      constraints: suffixNameConstraints(suffix),
    };
    return {ca: createCA(files, spec, now), created: true};
  });
}

/** Delete the suffix's CA and its directory (the caller has untrusted it). */
export function deleteDomainCA(home: string, suffix: string): void {
  rmSync(domainFiles(home, suffix).dir, {recursive: true, force: true});
}

/**
 * The CA that issues leaves for `host` under an added suffix, or undefined. Reads the disk (a few
 * stats) so a `domain add` or `domain rm` reaches a running daemon without a control call; a CA is
 * parsed again only when its file changed (inode or mtime).
 */
export function domainIssuers(home: string): (host: string) => LoadedCA | undefined {
  const loaded = new Map<string, {stamp: string; ca: LoadedCA}>();
  return (host) => {
    const labels = host.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      const files = domainFiles(home, suffix);
      const stat = statSync(files.cert, {throwIfNoEntry: false});
      if (!stat) continue;
      const stamp = `${stat.ino}:${stat.mtimeMs}`;
      const known = loaded.get(suffix);
      if (known?.stamp === stamp) return known.ca;
      try {
        const ca = loadCAFiles(files);
        loaded.set(suffix, {stamp, ca});
        return ca;
      } catch {
        return undefined;
      }
    }
    return undefined;
  };
}
