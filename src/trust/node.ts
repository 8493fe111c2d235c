import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {StoreResult, TrustContext, TrustStore} from './types.js';

/**
 * The NODE_EXTRA_CA_CERTS value that makes Node trust portico: ca.pem, or, when the variable already
 * names another bundle, a combined bundle (that one + ca.pem) written into PORTICO_HOME.
 */
export function nodeExtraCaCerts(env: NodeJS.ProcessEnv, caPath: string, home: string): {path: string; combined: boolean} {
  const existing = env.NODE_EXTRA_CA_CERTS;
  if (!existing || path.resolve(existing) === path.resolve(caPath)) return {path: caPath, combined: false};
  const bundle = path.join(home, 'node-ca-bundle.pem');
  if (path.resolve(existing) === bundle) return {path: bundle, combined: true};
  let prior = '';
  try {
    prior = readFileSync(existing, 'utf8');
  } catch {
    return {path: caPath, combined: false};
  }
  const ca = readFileSync(caPath, 'utf8');
  const content = `${prior.trimEnd()}\n${ca}`;
  let current = '';
  try {
    current = readFileSync(bundle, 'utf8');
  } catch {
    // first time
  }
  if (current !== content) writeFileSync(bundle, content, {mode: 0o644});
  return {path: bundle, combined: true};
}

/**
 * Node reads no system store: it needs NODE_EXTRA_CA_CERTS, which only the user's shell can set.
 * So `trust` and `trust --check` say the same thing: ✓ when the variable already includes the CA,
 * otherwise the line to add, as advice. Only `--check --stores node` turns missing trust into ✗.
 */
export const nodeStore: TrustStore = {
  name: 'node',
  async install(ctx) {
    return [state(ctx)];
  },
  async uninstall(ctx) {
    // Only a variable that brings in the portico CA is ours to advise removing (root's shell may set it to the system bundle).
    const ours = nodeTrusts(ctx);
    return [
      {
        store: 'node',
        ok: true,
        advice: ours,
        message: ours ? `remove NODE_EXTRA_CA_CERTS=${ctx.env.NODE_EXTRA_CA_CERTS} from your shell profile` : 'nothing to remove',
      },
    ];
  },
  async check(ctx) {
    return [state(ctx)];
  },
};

/** Whether NODE_EXTRA_CA_CERTS (as set in this shell) includes the portico CA. */
export function nodeTrusts(ctx: Pick<TrustContext, 'env' | 'caPem'>): boolean {
  const set = ctx.env.NODE_EXTRA_CA_CERTS;
  try {
    return !!set && readFileSync(set, 'utf8').includes(ctx.caPem.trim());
  } catch {
    return false;
  }
}

function state(ctx: TrustContext): StoreResult {
  if (nodeTrusts(ctx)) return {store: 'node', ok: true, message: `NODE_EXTRA_CA_CERTS=${ctx.env.NODE_EXTRA_CA_CERTS} includes the portico CA`};
  const {path: file, combined} = nodeExtraCaCerts(ctx.env, ctx.caPath, ctx.home);
  const line = `export NODE_EXTRA_CA_CERTS=${file}`;
  return {
    store: 'node',
    ok: false,
    advice: true,
    message: `Node reads no trust store: add \`${line}\` to your shell profile${combined ? ' (your bundle plus the portico CA)' : ''}`,
    fix: line,
  };
}
