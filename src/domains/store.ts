import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {caOwnerLabel, createCA, loadCAFiles, withCreateLock, type CAFiles, type LoadedCA} from '../certs/ca.js';
import {suffixNameConstraints} from '../certs/x509.js';
import {ensureHome, type StatePaths} from '../state/home.js';

/**
 * Each added suffix keeps its own CA in `$PORTICO_HOME/domains/<suffix>/` (ca.pem, ca-key.pem 0600),
 * constrained to that suffix alone (README "Your own dev domains"). The directory's presence is the
 * list: there is no second index to keep in step.
 */
export function domainsDir(home: string): string {
  return path.join(home, 'domains');
}

export function domainFiles(home: string, suffix: string): CAFiles {
  const dir = path.join(domainsDir(home), suffix);
  return {dir, cert: path.join(dir, 'ca.pem'), key: path.join(dir, 'ca-key.pem')};
}

/** The added suffixes, sorted: every directory under domains/ that holds a ca.pem. */
export function listDomains(home: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(domainsDir(home));
  } catch {
    return [];
  }
  return entries.filter((name) => /^[a-z0-9.-]+$/.test(name) && existsSync(domainFiles(home, name).cert)).sort();
}

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

/**
 * The file that makes Node trust every CA portico made: ca.pem alone while no domain is added, else
 * `ca-bundle.pem` (ca.pem, then each domain's CA), rewritten only when it changes. Node reads one
 * NODE_EXTRA_CA_CERTS file, so one bundle is how `portico run` children and the `trust` advice cover
 * the domain CAs too.
 */
export function porticoCaFile(paths: StatePaths): string {
  const domains = listDomains(paths.home);
  const bundle = path.join(paths.home, 'ca-bundle.pem');
  // A bundle once made is kept current even with no domain left: a shell profile may still name it.
  if (domains.length === 0 && !existsSync(bundle)) return paths.caCert;
  let content: string;
  try {
    content = [paths.caCert, ...domains.map((d) => domainFiles(paths.home, d).cert)].map((f) => readFileSync(f, 'utf8').trimEnd()).join('\n') + '\n';
  } catch {
    return paths.caCert;
  }
  if (readText(bundle) !== content) writeFileSync(bundle, content, {mode: 0o644});
  return domains.length === 0 ? paths.caCert : bundle;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
