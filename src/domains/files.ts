import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {CAFiles} from '../certs/ca.js';
import type {StatePaths} from '../state/home.js';

// Where the domain CAs live and which exist: read by most commands, so this module loads no
// certificate code (store.ts makes and deletes the CAs).

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

/** Whether `host` is an added suffix or a name under one (its CA's ca.pem is there). */
export function isUnderAddedDomain(home: string, host: string): boolean {
  if (!/^[a-z0-9.-]+$/.test(host)) return false;
  const labels = host.split('.');
  for (let i = 0; i < labels.length; i++) if (existsSync(domainFiles(home, labels.slice(i).join('.')).cert)) return true;
  return false;
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
