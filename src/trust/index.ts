import path from 'node:path';
import {ensureCA} from '../certs/ca.js';
import {createCertProvider} from '../certs/provider.js';
import {UserError} from '../errors.js';
import {realUser, type StatePaths} from '../state/home.js';
import {javaStore} from './java.js';
import {nodeStore} from './node.js';
import {nssStore} from './nss.js';
import {createRunner} from './run.js';
import {systemStore} from './system.js';
import type {StoreName, StoreResult, TrustContext, TrustStore} from './types.js';

export const STORES: Record<StoreName, TrustStore> = {system: systemStore, nss: nssStore, java: javaStore, node: nodeStore};

export function parseStores(input: string | undefined, env: NodeJS.ProcessEnv): StoreName[] {
  if (input === undefined) return env.JAVA_HOME ? ['system', 'nss', 'java', 'node'] : ['system', 'nss', 'node'];
  const names = input.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(name in STORES)) throw new UserError(`Invalid store \`${name}\` in --stores: expected a comma-separated list of ${Object.keys(STORES).join(', ')}.`);
  }
  if (names.length === 0) throw new UserError('Invalid --stores ``: name at least one of system, nss, java, node.');
  return names as StoreName[];
}

export interface TrustOptions {
  paths: StatePaths;
  action: 'install' | 'uninstall' | 'check';
  stores: StoreName[];
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

/** Run one action on each selected store; a store that fails never stops the others. */
export async function runTrust(options: TrustOptions): Promise<StoreResult[]> {
  const ctx = await trustContext(options.paths, options.env ?? process.env, options.context);
  const results: StoreResult[] = [];
  for (const name of options.stores) {
    try {
      results.push(...(await STORES[name][options.action](ctx)));
    } catch (error) {
      results.push({store: name, ok: false, message: (error as Error).message});
    }
  }
  return results;
}

export function formatResults(results: readonly StoreResult[]): string {
  return results
    .map((r) => `${r.skipped ? '–' : r.ok ? '✓' : '✗'} ${r.store}: ${r.message}${!r.ok && r.fix ? `\n    ${r.fix}` : ''}`)
    .join('\n');
}

/** Failures that count: a store that is present on this machine and not in the state asked for. */
export function failed(results: readonly StoreResult[]): boolean {
  return results.some((r) => !r.ok && !r.skipped);
}

