import path from 'node:path';
import {ensureCA} from '../certs/ca.js';
import {createCertProvider} from '../certs/provider.js';
import {InputError} from '../errors.js';
import {realUser, type StatePaths} from '../state/home.js';
import {javaStore} from './java.js';
import {nodeStore} from './node.js';
import {nssStore} from './nss.js';
import {createRunner} from './run.js';
import {readMarker, storesDone, updateMarker} from './marker.js';
import {systemAnchorPresent, systemStore} from './system.js';
import type {StoreName, StoreResult, TrustContext, TrustStore} from './types.js';

export const STORES: Record<StoreName, TrustStore> = {system: systemStore, nss: nssStore, java: javaStore, node: nodeStore};

/** The stores one run works on; `explicit` when the user named them with --stores. */
export interface StoreSelection {
  stores: StoreName[];
  explicit: boolean;
}

/** `--stores` as given, or the defaults: system, nss, node, plus java when JAVA_HOME is set. */
export function parseStores(input: string | undefined, env: NodeJS.ProcessEnv): StoreSelection {
  if (input === undefined) return {stores: env.JAVA_HOME ? ['system', 'nss', 'java', 'node'] : ['system', 'nss', 'node'], explicit: false};
  const names = input.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(name in STORES)) throw new InputError(`Invalid store \`${name}\` in --stores: expected a comma-separated list of ${Object.keys(STORES).join(', ')}.`);
  }
  if (names.length === 0) throw new InputError('Invalid --stores ``: name at least one of system, nss, java, node.');
  return {stores: [...new Set(names)] as StoreName[], explicit: true};
}

export interface TrustOptions {
  paths: StatePaths;
  action: 'install' | 'uninstall' | 'check';
  selection: StoreSelection;
  env?: NodeJS.ProcessEnv;
  /** Injected for tests; the real runner otherwise. */
  context?: Partial<TrustContext>;
}

/** Build the context every store works from: the CA, a leaf for real verification, the real user. */
export async function trustContext(paths: StatePaths, env: NodeJS.ProcessEnv = process.env, overrides: Partial<TrustContext> = {}): Promise<TrustContext> {
  const ca = await ensureCA(paths);
  await createCertProvider(ca, {certsDir: paths.certsDir}).leafFor('localhost');
  const user = realUser(env);
  return {
    caPem: ca.certPem,
    caPath: paths.caCert,
    fingerprint256: ca.fingerprint256,
    nickname: `${ca.commonName} ${ca.fingerprint256.replace(/:/g, '').slice(0, 8).toLowerCase()}`,
    leafPath: path.join(paths.certsDir, 'localhost.pem'),
    user,
    home: paths.home,
    env,
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    root: env.PORTICO_SYSTEM_ROOT ?? '/',
    run: createRunner(user),
    ...overrides,
  };
}

export interface TrustReport {
  results: StoreResult[];
  /** A store that counts failed: only one named with --stores for install/uninstall; any checked store for --check. */
  failed: boolean;
}

/**
 * Run one action on each selected store; a store that fails never stops the others.
 * Without --stores, `trust` does what this user can and succeeds: a store that needs root becomes
 * advice carrying the one sudo command. `--check` checks what `trust` installs for this user (NSS),
 * plus what trust.json says was installed (java, system) and the system store when its anchor is there.
 */
export async function runTrust(options: TrustOptions): Promise<TrustReport> {
  const ctx = await trustContext(options.paths, options.env ?? process.env, options.context);
  const {action, selection} = options;
  const marker = readMarker(ctx.home, ctx.fingerprint256);
  const stores = action === 'check' && !selection.explicit ? checkedByDefault(ctx, marker?.stores ?? []) : selection.stores;
  const byStore = new Map<StoreName, StoreResult[]>();
  for (const name of stores) {
    let results: StoreResult[];
    try {
      results = await STORES[name][action](ctx);
    } catch (error) {
      results = [{store: name, ok: false, message: (error as Error).message}];
    }
    byStore.set(name, results.map((r) => shape(r, name, action, selection.explicit)));
  }
  if (action === 'install') updateMarker(ctx.home, ctx.fingerprint256, {add: storesDone(byStore)}, ctx.user);
  if (action === 'uninstall') updateMarker(ctx.home, ctx.fingerprint256, {remove: [...byStore].filter(([, rs]) => rs.every((r) => r.ok)).map(([n]) => n)}, ctx.user);
  const results = [...byStore.values()].flat();
  const counts = action === 'check' || selection.explicit;
  return {results, failed: counts && results.some((r) => !r.ok && !r.skipped && !r.advice)};
}

function checkedByDefault(ctx: TrustContext, installed: readonly StoreName[]): StoreName[] {
  const system = installed.includes('system') || systemAnchorPresent(ctx);
  return [...(system ? (['system'] as const) : []), 'nss', ...(installed.includes('java') ? (['java'] as const) : []), 'node'];
}

/** Advice vs failure, by who asked: see runTrust. */
function shape(r: StoreResult, name: StoreName, action: TrustOptions['action'], explicit: boolean): StoreResult {
  // `--check --stores node` asks whether Node trusts the CA: then a missing variable is a failure.
  if (name === 'node' && action === 'check' && explicit && r.advice) return {...r, advice: false};
  if (r.needsRoot && !explicit && action !== 'check') return {...r, advice: true, message: `${r.message}: this user cannot change it`};
  return r;
}

export function formatResults(results: readonly StoreResult[]): string {
  return results
    .map((r) => {
      const mark = r.advice ? '→' : r.skipped ? '–' : r.ok ? '✓' : '✗';
      return `${mark} ${r.store}: ${r.message}${(!r.ok || r.advice) && r.fix && !r.message.includes(r.fix) ? `\n    ${r.fix}` : ''}`;
    })
    .join('\n');
}
