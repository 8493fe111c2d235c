import {X509Certificate} from 'node:crypto';
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {porticoCommand} from './hint.js';
import type {TrustContext, TrustStore} from './types.js';

type Cmd = readonly [string, ...string[]];

/** Stands for the CA's Windows path (`wslpath -w ca.pem`), worked out when the command runs. */
export const WINDOWS_CA_PATH = '{windows path of ca.pem}';

/** What installing into one OS's system store means: a file to place and/or commands to run. */
export interface SystemPlan {
  kind: 'debian' | 'fedora' | 'arch' | 'suse' | 'macos' | 'windows' | 'wsl' | 'unknown';
  /** Anchor file portico writes (Linux). */
  file?: string;
  install: Cmd[];
  uninstall: Cmd[];
  /** The bundle a real chain verification uses (Linux), or a verify command. */
  bundle?: string;
  verify?: Cmd;
  /** Needs root (Linux system stores; the macOS System keychain). */
  needsRoot: boolean;
}

function shortId(ctx: TrustContext): string {
  return ctx.fingerprint256.replace(/:/g, '').slice(0, 12).toLowerCase();
}

function sha1(ctx: TrustContext): string {
  return new X509Certificate(ctx.caPem).fingerprint.replace(/:/g, '');
}

/** Work out the system store of this machine. Pure over the context (files under ctx.root, platform, env). */
export function systemPlan(ctx: TrustContext): SystemPlan {
  const at = (p: string) => path.join(ctx.root, p);
  const id = shortId(ctx);
  if (ctx.platform === 'darwin') {
    const keychain = ctx.isRoot ? '/Library/Keychains/System.keychain' : path.join(ctx.user.home, 'Library/Keychains/login.keychain-db');
    return {
      kind: 'macos',
      install: [
        ctx.isRoot
          ? ['security', 'add-trusted-cert', '-d', '-r', 'trustRoot', '-k', keychain, ctx.caPath]
          : ['security', 'add-trusted-cert', '-r', 'trustRoot', '-k', keychain, ctx.caPath],
      ],
      uninstall: [
        ['security', 'remove-trusted-cert', ...(ctx.isRoot ? ['-d'] : []), ctx.caPath],
        ['security', 'delete-certificate', '-Z', sha1(ctx), keychain],
      ],
      verify: ['security', 'verify-cert', '-c', ctx.leafPath, '-p', 'ssl'],
      needsRoot: false,
    };
  }
  if (ctx.platform === 'win32') {
    return {
      kind: 'windows',
      install: [['certutil', '-addstore', '-user', '-f', 'Root', ctx.caPath]],
      uninstall: [['certutil', '-delstore', '-user', 'Root', sha1(ctx)]],
      verify: ['certutil', '-verify', ctx.leafPath],
      needsRoot: false,
    };
  }
  const linux = linuxPlan(ctx, at, id);
  const wsl = /microsoft/i.test(readText(at('proc/version'))) || ctx.env.WSL_DISTRO_NAME !== undefined;
  if (wsl && linux.kind !== 'unknown') {
    // WSL: the Linux store for tools inside, and the Windows store for the browsers outside.
    return {
      ...linux,
      kind: 'wsl',
      install: [...linux.install, ['certutil.exe', '-addstore', '-user', '-f', 'Root', WINDOWS_CA_PATH]],
      uninstall: [...linux.uninstall, ['certutil.exe', '-delstore', '-user', 'Root', sha1(ctx)]],
    };
  }
  return linux;
}

function linuxPlan(ctx: TrustContext, at: (p: string) => string, id: string): SystemPlan {
  if (existsSync(at('etc/pki/ca-trust/source/anchors'))) {
    return {
      kind: 'fedora',
      file: at(`etc/pki/ca-trust/source/anchors/portico-${id}.pem`),
      install: [['update-ca-trust', 'extract']],
      uninstall: [['update-ca-trust', 'extract']],
      bundle: at('etc/pki/tls/certs/ca-bundle.crt'),
      needsRoot: true,
    };
  }
  if (existsSync(at('usr/share/pki/trust/anchors'))) {
    return {
      kind: 'suse',
      file: at(`usr/share/pki/trust/anchors/portico-${id}.pem`),
      install: [['update-ca-certificates']],
      uninstall: [['update-ca-certificates']],
      bundle: at('etc/ssl/ca-bundle.pem'),
      needsRoot: true,
    };
  }
  if (existsSync(at('etc/ca-certificates/trust-source/anchors'))) {
    return {
      kind: 'arch',
      install: [
        ['trust', 'anchor', '--store', ctx.caPath],
        ['trust', 'extract-compat'],
      ],
      uninstall: [
        ['trust', 'anchor', '--remove', ctx.caPath],
        ['trust', 'extract-compat'],
      ],
      bundle: at('etc/ssl/certs/ca-certificates.crt'),
      needsRoot: true,
    };
  }
  if (existsSync(at('usr/local/share/ca-certificates'))) {
    // update-ca-certificates only picks up files ending in .crt.
    return {
      kind: 'debian',
      file: at(`usr/local/share/ca-certificates/portico-${id}.crt`),
      install: [['update-ca-certificates']],
      uninstall: [['update-ca-certificates', '--fresh']],
      bundle: at('etc/ssl/certs/ca-certificates.crt'),
      needsRoot: true,
    };
  }
  return {kind: 'unknown', install: [], uninstall: [], needsRoot: true};
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function runAll(ctx: TrustContext, cmds: readonly Cmd[]): Promise<string | undefined> {
  for (const [cmd, ...rawArgs] of cmds) {
    let args = rawArgs;
    if (rawArgs.includes(WINDOWS_CA_PATH)) {
      const converted = (await ctx.run('wslpath', ['-w', ctx.caPath])).stdout.trim();
      args = rawArgs.map((a) => (a === WINDOWS_CA_PATH ? converted : a));
    }
    const r = await ctx.run(cmd, args, {asUser: ctx.platform === 'darwin' && !ctx.isRoot});
    if (r.code !== 0) return `${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
  }
  return undefined;
}

async function verified(ctx: TrustContext, plan: SystemPlan): Promise<boolean> {
  if (plan.verify) return (await ctx.run(plan.verify[0], plan.verify.slice(1))).code === 0;
  if (!plan.bundle || !existsSync(plan.bundle)) return false;
  const r = await ctx.run('openssl', ['verify', '-CAfile', plan.bundle, ctx.leafPath]);
  return r.code === 0 && /: OK/.test(r.stdout);
}

function sudoFix(ctx: TrustContext): string {
  return `\`sudo ${porticoCommand(ctx.env)} trust --stores system\` (the system store belongs to root; curl, git, Python and other tools read it)`;
}

/** The anchor file `trust` placed, still holding this CA: the system store was installed here. */
export function systemAnchorPresent(ctx: TrustContext): boolean {
  const plan = systemPlan(ctx);
  return plan.file !== undefined && readText(plan.file) === ctx.caPem;
}

export const systemStore: TrustStore = {
  name: 'system',
  async install(ctx) {
    const plan = systemPlan(ctx);
    if (plan.kind === 'unknown')
      return [
        {store: 'system', ok: false, skipped: true, message: 'no known system trust store on this machine', fix: 'Add ca.pem to your system store by hand.'},
      ];
    if (plan.file && readText(plan.file) === ctx.caPem && (await verified(ctx, plan)))
      return [{store: `system (${plan.kind})`, ok: true, message: 'already trusted'}];
    if (plan.needsRoot && !ctx.isRoot)
      return [{store: `system (${plan.kind})`, ok: false, needsRoot: true, message: 'needs root', fix: `Run ${sudoFix(ctx)}.`}];
    try {
      if (plan.file) writeFileSync(plan.file, ctx.caPem, {mode: 0o644});
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return [
        {
          store: `system (${plan.kind})`,
          ok: false,
          needsRoot: code === 'EACCES' || code === 'EPERM',
          message: `cannot write ${plan.file}: ${code}`,
          fix: `Run ${sudoFix(ctx)}.`,
        },
      ];
    }
    const failed = await runAll(ctx, plan.install);
    return [
      failed
        ? {store: `system (${plan.kind})`, ok: false, message: failed}
        : {store: `system (${plan.kind})`, ok: true, message: plan.file ? `trusted (${plan.file})` : 'trusted'},
    ];
  },
  async uninstall(ctx) {
    const plan = systemPlan(ctx);
    if (plan.kind === 'unknown') return [{store: 'system', ok: true, skipped: true, message: 'no known system trust store'}];
    if (plan.file && !existsSync(plan.file)) return [{store: `system (${plan.kind})`, ok: true, message: 'not present'}];
    if (plan.needsRoot && !ctx.isRoot)
      return [{store: `system (${plan.kind})`, ok: false, needsRoot: true, message: 'needs root', fix: 'Run `sudo portico untrust --stores system`.'}];
    if (plan.file) rmSync(plan.file, {force: true});
    const failed = await runAll(ctx, plan.uninstall);
    return [failed ? {store: `system (${plan.kind})`, ok: false, message: failed} : {store: `system (${plan.kind})`, ok: true, message: 'removed'}];
  },
  async check(ctx) {
    const plan = systemPlan(ctx);
    if (plan.kind === 'unknown') return [{store: 'system', ok: false, skipped: true, message: 'no known system trust store on this machine'}];
    const ok = await verified(ctx, plan);
    return [
      ok
        ? {store: `system (${plan.kind})`, ok: true, message: 'trusts the portico CA, leaf verified'}
        : {store: `system (${plan.kind})`, ok: false, message: 'does not trust the portico CA', fix: `Run ${sudoFix(ctx)}.`},
    ];
  },
};
