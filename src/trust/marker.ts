import {chownSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {RealUser} from '../state/home.js';
import type {StoreName, StoreResult} from './types.js';

/**
 * `trust.json` in PORTICO_HOME: which stores `portico trust` installed this CA into. It lets
 * `add`/`up`/`run` know in a file read (no certutil per command) whether to print the trust hint,
 * and lets `trust --check` check what was installed (the system store only once it was).
 */
export interface TrustMarker {
  /** The CA these stores trust (SHA-256, colon hex); a new CA makes the marker stale. */
  fingerprint256: string;
  stores: StoreName[];
}

export function markerPath(home: string): string {
  return path.join(home, 'trust.json');
}

/** The marker, if it exists and is about this CA. */
export function readMarker(home: string, fingerprint256: string): TrustMarker | undefined {
  try {
    const data = JSON.parse(readFileSync(markerPath(home), 'utf8')) as Partial<TrustMarker>;
    if (data.fingerprint256 !== fingerprint256 || !Array.isArray(data.stores)) return undefined;
    return {fingerprint256, stores: data.stores};
  } catch {
    return undefined;
  }
}

/** The stores whose every result in `results` is a success (not advice, not skipped). */
export function storesDone(results: ReadonlyMap<StoreName, readonly StoreResult[]>): StoreName[] {
  return [...results].filter(([, rs]) => rs.length > 0 && rs.every((r) => r.ok && !r.skipped && !r.advice)).map(([name]) => name);
}

/** Record an install (add) or an uninstall (remove) of stores; atomic, owned by the real user. */
export function updateMarker(home: string, fingerprint256: string, change: {add?: StoreName[]; remove?: StoreName[]}, user?: RealUser): void {
  const stores = new Set(readMarker(home, fingerprint256)?.stores ?? []);
  for (const s of change.add ?? []) stores.add(s);
  for (const s of change.remove ?? []) stores.delete(s);
  const file = markerPath(home);
  if (stores.size === 0) {
    rmSync(file, {force: true});
    return;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({fingerprint256, stores: [...stores]}, null, 2)}\n`, {mode: 0o644});
  // Under sudo, PORTICO_HOME is the invoking user's: keep their files theirs.
  if (user?.uid !== undefined && process.getuid?.() === 0) chownSync(tmp, user.uid, user.gid ?? user.uid);
  renameSync(tmp, file);
}
