import path from 'node:path';
import type {StoreResult, TrustContext, TrustStore} from './types.js';
import {ExitCode} from '../errors.js';

function keytool(ctx: TrustContext): string {
  return ctx.env.JAVA_HOME ? path.join(ctx.env.JAVA_HOME, 'bin', 'keytool') : 'keytool';
}

/** The JDK's cacerts, through keytool (default store password `changeit`). Opt-in: --stores java or JAVA_HOME. */
export const javaStore: TrustStore = {
  name: 'java',
  async install(ctx) {
    const present = await listed(ctx);
    if (present === undefined) return [missing()];
    if (present) return [{store: 'java', ok: true, message: 'already trusted'}];
    const r = await ctx.run(keytool(ctx), [
      '-importcert',
      '-noprompt',
      '-cacerts',
      '-storepass',
      ctx.env.PORTICO_JAVA_STOREPASS ?? 'changeit',
      '-alias',
      alias(ctx),
      '-file',
      ctx.caPath,
    ]);
    return [
      r.code === 0
        ? {store: 'java', ok: true, message: 'trusted (cacerts)'}
        : {
            store: 'java',
            ok: false,
            message: `keytool failed: ${(r.stdout + r.stderr).trim().split('\n').pop()}`,
            fix: 'Run `sudo portico trust --stores java` if the JDK belongs to root.',
          },
    ];
  },
  async uninstall(ctx) {
    const present = await listed(ctx);
    if (present === undefined) return [missing()];
    if (!present) return [{store: 'java', ok: true, message: 'not present'}];
    const r = await ctx.run(keytool(ctx), ['-delete', '-cacerts', '-storepass', ctx.env.PORTICO_JAVA_STOREPASS ?? 'changeit', '-alias', alias(ctx)]);
    return [{store: 'java', ok: r.code === 0, message: r.code === 0 ? 'removed' : `keytool failed: ${(r.stdout + r.stderr).trim()}`}];
  },
  async check(ctx) {
    const present = await listed(ctx);
    if (present === undefined) return [missing()];
    return [
      present
        ? {store: 'java', ok: true, message: 'trusts the portico CA'}
        : {store: 'java', ok: false, message: 'does not trust the portico CA', fix: 'Run `portico trust --stores java`.'},
    ];
  },
};

function alias(ctx: TrustContext): string {
  return `portico-${ctx.fingerprint256.replace(/:/g, '').slice(0, 12).toLowerCase()}`;
}

/** undefined when no JDK is found. */
async function listed(ctx: TrustContext): Promise<boolean | undefined> {
  const r = await ctx.run(keytool(ctx), ['-list', '-cacerts', '-storepass', ctx.env.PORTICO_JAVA_STOREPASS ?? 'changeit', '-alias', alias(ctx)]);
  if (r.code === ExitCode.commandNotFound) return undefined;
  return r.code === 0;
}

function missing(): StoreResult {
  return {store: 'java', ok: false, skipped: true, message: 'no JDK found (keytool)', fix: 'Set JAVA_HOME to your JDK.'};
}
