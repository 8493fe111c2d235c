import {readFileSync} from 'node:fs';
import path from 'node:path';
import {ensureCA, type LoadedCA} from '../certs/ca.js';
import {domainIssuers} from '../domains/store.js';
import {domainFiles, listDomains, porticoCaFile} from '../domains/files.js';
import {createCertProvider} from '../certs/provider.js';
import {InputError} from '../errors.js';
import {realUser, type StatePaths} from '../state/home.js';
import {javaStore} from './java.js';
import {skippedNotes} from './skipped.js';
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
  const names = input
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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
  /** Only this added domain's CA (`domain rm` untrusts just it). Default: every CA portico made. */
  domain?: string;
}

/** Build the context every store works from: the CA, a leaf for real verification, the real user. */
export async function trustContext(paths: StatePaths, env: NodeJS.ProcessEnv = process.env, overrides: Partial<TrustContext> = {}): Promise<TrustContext> {
  const ca = await ensureCA(paths);
  await createCertProvider(ca, {certsDir: paths.certsDir}).leafFor('localhost');
  const user = realUser(env);
  return {
    ...caFields(ca),
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

function caFields(ca: LoadedCA): Pick<TrustContext, 'caPem' | 'caPath' | 'fingerprint256' | 'nickname'> {
  return {
    caPem: ca.certPem,
    caPath: ca.certPath,
    fingerprint256: ca.fingerprint256,
    nickname: `${ca.commonName} ${ca.fingerprint256.replace(/:/g, '').slice(0, 8).toLowerCase()}`,
  };
}

/**
 * One context per added domain: its CA, a leaf for the suffix itself (so `--check` verifies a real
 * chain under that CA's constraints), and its own trust.json beside its CA.
 */
export async function domainContexts(paths: StatePaths, root: TrustContext, only?: string): Promise<TrustContext[]> {
  const issuers = domainIssuers(paths.home);
  const certs = createCertProvider(await ensureCA(paths), {certsDir: paths.certsDir, issuerFor: issuers});
  const contexts: TrustContext[] = [];
  for (const domain of listDomains(paths.home)) {
    if (only !== undefined && domain !== only) continue;
    const ca = issuers(domain);
    if (!ca) continue;
    await certs.leafFor(domain);
    contexts.push({...root, ...caFields(ca), leafPath: path.join(paths.certsDir, `${domain}.pem`), home: domainFiles(paths.home, domain).dir, domain});
  }
  return contexts;
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
  const root = await trustContext(options.paths, options.env ?? process.env, options.context);
  const domains = await domainContexts(options.paths, root, options.domain);
  const contexts = options.domain === undefined ? [root, ...domains] : domains;
  const results: StoreResult[] = [];
  // Node reads one NODE_EXTRA_CA_CERTS file: with added domains, the localhost CA's Node line names the bundle of every CA.
  const nodeFile = porticoCaFile(options.paths);
  const nodeCtx = nodeFile === root.caPath ? root : {...root, caPath: nodeFile, caPem: readFileSync(nodeFile, 'utf8')};
  for (const ctx of contexts) results.push(...(await trustOne(ctx, options, ctx === root ? nodeCtx : ctx)));
  const counts = options.action === 'check' || options.selection.explicit;
  return {results, failed: counts && results.some((r) => !r.ok && !r.skipped && !r.advice)};
}

/** Every selected store for one CA. An added domain's CA skips Node: NODE_EXTRA_CA_CERTS names one file (README "Your own dev domains"). */
async function trustOne(ctx: TrustContext, options: TrustOptions, nodeCtx: TrustContext): Promise<StoreResult[]> {
  const {action, selection} = options;
  const marker = readMarker(ctx.home, ctx.fingerprint256);
  const wanted = action === 'check' && !selection.explicit ? checkedByDefault(ctx, marker?.stores ?? []) : selection.stores;
  const stores = ctx.domain === undefined ? wanted : wanted.filter((s) => s !== 'node');
  const byStore = new Map<StoreName, StoreResult[]>();
  for (const name of stores) {
    let results: StoreResult[];
    try {
      results = await STORES[name][action](name === 'node' ? nodeCtx : ctx);
    } catch (error) {
      results = [{store: name, ok: false, message: (error as Error).message}];
    }
    byStore.set(
      name,
      results.map((r) => labelled(shape(r, name, action, selection.explicit), ctx.domain)),
    );
  }
  if (action === 'install') updateMarker(ctx.home, ctx.fingerprint256, {add: storesDone(byStore)}, ctx.user);
  if (action === 'uninstall')
    updateMarker(ctx.home, ctx.fingerprint256, {remove: [...byStore].filter(([, rs]) => rs.every((r) => r.ok)).map(([n]) => n)}, ctx.user);
  const notes = action === 'install' && ctx.domain === undefined ? skippedNotes(ctx, stores, selection.explicit) : [];
  return [...[...byStore.values()].flat(), ...notes];
}

/** A domain CA's lines name it: `nss [dev.example.test]: trusted (...)`. */
function labelled(r: StoreResult, domain: string | undefined): StoreResult {
  return domain === undefined ? r : {...r, store: `${r.store} [${domain}]`};
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
