import {existsSync, mkdirSync, chownSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {findFirefoxProfiles} from './firefox.js';
import type {StoreResult, TrustContext, TrustStore} from './types.js';
import {ExitCode} from '../errors.js';

/** Which package provides certutil, per OS. */
export function certutilPackage(ctx: Pick<TrustContext, 'platform' | 'root'>): string {
  if (ctx.platform === 'darwin') return '`brew install nss`';
  const release = readRelease(ctx.root);
  if (/fedora|rhel|centos/.test(release)) return '`sudo dnf install nss-tools`';
  if (/arch/.test(release)) return '`sudo pacman -S nss`';
  if (/suse/.test(release)) return '`sudo zypper install mozilla-nss-tools`';
  return '`sudo apt-get install libnss3-tools`';
}

function readRelease(root: string): string {
  try {
    return readFileSync(path.join(root, 'etc/os-release'), 'utf8').toLowerCase();
  } catch {
    return '';
  }
}

export interface NssDb {
  /** Browser it belongs to, for the report. */
  label: string;
  dir: string;
  /** The database does not exist yet and would be created (Chromium's own; a Firefox profile never started). */
  create?: boolean;
}

/** Every NSS database of the user's browsers: Chromium/Chrome (native, snap, flatpak) and each Firefox profile (profiles.ini). */
export function findNssDbs(home: string): NssDb[] {
  const dbs: NssDb[] = [];
  const hasDb = (dir: string) => existsSync(path.join(dir, 'cert9.db'));
  const legacy = path.join(home, '.pki', 'nssdb');
  const modern = path.join(home, '.local', 'share', 'pki', 'nssdb');
  // Chromium 146+ uses ~/.local/share/pki/nssdb when ~/.pki/nssdb is absent.
  if (hasDb(legacy)) dbs.push({label: 'Chromium/Chrome', dir: legacy});
  else if (hasDb(modern)) dbs.push({label: 'Chromium/Chrome', dir: modern});
  else dbs.push({label: 'Chromium/Chrome', dir: legacy, create: true});
  for (const snap of [path.join(home, 'snap', 'chromium', 'current', '.pki', 'nssdb')]) if (hasDb(snap)) dbs.push({label: 'Chromium (snap)', dir: snap});
  for (const app of ['org.chromium.Chromium', 'com.google.Chrome']) {
    const dir = path.join(home, '.var', 'app', app, '.pki', 'nssdb');
    if (hasDb(dir)) dbs.push({label: `${app} (flatpak)`, dir});
  }
  for (const profile of findFirefoxProfiles(home)) dbs.push({label: profile.label, dir: profile.dir, create: profile.fresh});
  return dbs;
}

async function certutilMissing(ctx: TrustContext): Promise<StoreResult[] | undefined> {
  const probe = await ctx.run('certutil', ['-H'], {asUser: true});
  if (probe.code !== 127) return undefined;
  return [
    {
      store: 'nss',
      ok: false,
      message: 'certutil is not installed, so Chromium and Firefox cannot be set up',
      fix: `Install it with ${certutilPackage(ctx)}, then run \`portico trust\` again.`,
    },
  ];
}

async function present(ctx: TrustContext, db: NssDb): Promise<boolean> {
  const listed = await ctx.run('certutil', ['-L', '-d', `sql:${db.dir}`, '-n', ctx.nickname, '-a'], {asUser: true});
  return listed.code === 0 && listed.stdout.replace(/\s+/g, '').includes(ctx.caPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
}

export const nssStore: TrustStore = {
  name: 'nss',
  async install(ctx) {
    const missing = await certutilMissing(ctx);
    if (missing) return missing;
    const results: StoreResult[] = [];
    for (const db of findNssDbs(ctx.user.home)) {
      const store = `nss ${db.label}`;
      if (db.create) {
        mkdirSync(db.dir, {recursive: true, mode: 0o700});
        if (ctx.user.uid !== undefined && ctx.isRoot) chownSync(db.dir, ctx.user.uid, ctx.user.gid ?? ctx.user.uid);
        const made = await ctx.run('certutil', ['-N', '-d', `sql:${db.dir}`, '--empty-password'], {asUser: true});
        if (made.code !== 0) {
          results.push({store, ok: false, message: `could not create ${db.dir}: ${made.stderr.trim()}`});
          continue;
        }
      }
      if (await present(ctx, db)) {
        results.push({store, ok: true, message: `already trusted (${db.dir})`});
        continue;
      }
      const added = await ctx.run('certutil', ['-A', '-d', `sql:${db.dir}`, '-t', 'C,,', '-n', ctx.nickname, '-i', ctx.caPath], {asUser: true});
      results.push(
        added.code === 0
          ? {store, ok: true, message: `trusted (${db.dir})`}
          : {store, ok: false, message: `certutil failed: ${added.stderr.trim()}`, fix: 'Close the browser and run `portico trust` again.'},
      );
    }
    return results;
  },
  async uninstall(ctx) {
    const missing = await certutilMissing(ctx);
    if (missing) return missing;
    const results: StoreResult[] = [];
    for (const db of findNssDbs(ctx.user.home).filter((d) => !d.create)) {
      const store = `nss ${db.label}`;
      let removed = false;
      // A database may hold the nickname more than once (older runs): remove until none is left.
      for (let i = 0; i < 10 && (await present(ctx, db)); i++) {
        removed = (await ctx.run('certutil', ['-D', '-d', `sql:${db.dir}`, '-n', ctx.nickname], {asUser: true})).code === 0 || removed;
      }
      results.push({store, ok: !(await present(ctx, db)), message: removed ? `removed (${db.dir})` : `not present (${db.dir})`});
    }
    return results;
  },
  async check(ctx) {
    const missing = await certutilMissing(ctx);
    if (missing) return missing;
    const results: StoreResult[] = [];
    for (const db of findNssDbs(ctx.user.home)) {
      const store = `nss ${db.label}`;
      if (db.create || !(await present(ctx, db))) {
        results.push({store, ok: false, message: `does not trust the portico CA (${db.dir})`, fix: 'Run `portico trust --stores nss`.'});
        continue;
      }
      // A real chain verification of a leaf the CA issued, against this database.
      const verified = await ctx.run('vfychain', ['-d', `sql:${db.dir}`, '-a', '-u', '1', ctx.leafPath], {asUser: true});
      const ok = verified.code === 0 || verified.code === ExitCode.commandNotFound;
      results.push(
        ok
          ? {
              store,
              ok: true,
              message: `trusts the portico CA${verified.code === ExitCode.commandNotFound ? ' (vfychain missing: presence checked only)' : ', leaf verified'} (${db.dir})`,
            }
          : {
              store,
              ok: false,
              message: `has the CA but a leaf does not verify: ${verified.stdout.trim().split('\n').pop()}`,
              fix: 'Run `portico untrust --stores nss && portico trust --stores nss`.',
            },
      );
    }
    return results;
  },
};
