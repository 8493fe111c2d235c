// macOS, Windows, Fedora, Arch, openSUSE and WSL cannot run here: these tests pin the exact files and
// commands portico would use there, through the same code path, with a fake filesystem root and runner.
import {X509Certificate} from 'node:crypto';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ensureCA} from '../../../src/certs/ca.js';
import {statePaths} from '../../../src/state/home.js';
import {systemPlan, systemStore} from '../../../src/trust/system.js';
import type {RunResult, TrustContext} from '../../../src/trust/types.js';

let dir: string;
let ctx: TrustContext;
let calls: string[];
let sha1: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-plans-'));
  const paths = statePaths(path.join(dir, 'home'));
  const ca = await ensureCA(paths);
  sha1 = new X509Certificate(ca.certPem).fingerprint.replace(/:/g, '');
  calls = [];
  ctx = {
    caPem: ca.certPem,
    caPath: paths.caCert,
    fingerprint256: ca.fingerprint256,
    nickname: 'portico test CA',
    leafPath: path.join(paths.certsDir, 'localhost.pem'),
    user: {home: '/Users/dev', name: 'dev'},
    home: paths.home,
    env: {},
    platform: 'linux',
    isRoot: true,
    root: path.join(dir, 'root'),
    run: async (cmd, args): Promise<RunResult> => {
      calls.push([cmd, ...args].join(' '));
      return {code: cmd === 'wslpath' ? 0 : 0, stdout: cmd === 'wslpath' ? 'C:\\portico\\ca.pem\n' : 'x: OK', stderr: ''};
    },
  };
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

function distro(dirs: string[], files: Record<string, string> = {}): void {
  for (const d of dirs) mkdirSync(path.join(ctx.root, d), {recursive: true});
  for (const [f, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ctx.root, f)), {recursive: true});
    writeFileSync(path.join(ctx.root, f), content);
  }
}

const id = () => ctx.fingerprint256.replace(/:/g, '').slice(0, 12).toLowerCase();

describe('system store plans', () => {
  it('Debian/Ubuntu/Alpine: a .crt under /usr/local/share/ca-certificates, then update-ca-certificates', async () => {
    distro(['usr/local/share/ca-certificates'], {'etc/ssl/certs/ca-certificates.crt': ''});
    const plan = systemPlan(ctx);
    expect(plan.kind).toBe('debian');
    expect(plan.file).toBe(path.join(ctx.root, `usr/local/share/ca-certificates/portico-${id()}.crt`));
    await systemStore.install(ctx);
    expect(readFileSync(plan.file!, 'utf8')).toBe(ctx.caPem);
    expect(calls).toContain('update-ca-certificates');
  });

  it('Fedora/RHEL: the anchors directory, then update-ca-trust extract', async () => {
    distro(['etc/pki/ca-trust/source/anchors']);
    await systemStore.install(ctx);
    expect(systemPlan(ctx).file).toBe(path.join(ctx.root, `etc/pki/ca-trust/source/anchors/portico-${id()}.pem`));
    expect(calls).toEqual(['update-ca-trust extract']);
  });

  it('Arch: trust anchor --store, then trust extract-compat; removal with trust anchor --remove', async () => {
    distro(['etc/ca-certificates/trust-source/anchors']);
    expect(systemPlan(ctx).install.map((c) => c.join(' '))).toEqual([`trust anchor --store ${ctx.caPath}`, 'trust extract-compat']);
    expect(systemPlan(ctx).uninstall.map((c) => c.join(' '))).toEqual([`trust anchor --remove ${ctx.caPath}`, 'trust extract-compat']);
  });

  it('openSUSE: /usr/share/pki/trust/anchors, then update-ca-certificates', () => {
    distro(['usr/share/pki/trust/anchors']);
    const plan = systemPlan(ctx);
    expect(plan.kind).toBe('suse');
    expect(plan.file).toBe(path.join(ctx.root, `usr/share/pki/trust/anchors/portico-${id()}.pem`));
    expect(plan.install).toEqual([['update-ca-certificates']]);
  });

  it('macOS without root: the login keychain; with root: the System keychain', () => {
    ctx.platform = 'darwin';
    ctx.isRoot = false;
    expect(systemPlan(ctx).install).toEqual([
      ['security', 'add-trusted-cert', '-r', 'trustRoot', '-k', '/Users/dev/Library/Keychains/login.keychain-db', ctx.caPath],
    ]);
    expect(systemPlan(ctx).uninstall).toEqual([
      ['security', 'remove-trusted-cert', ctx.caPath],
      ['security', 'delete-certificate', '-Z', sha1, '/Users/dev/Library/Keychains/login.keychain-db'],
    ]);
    ctx.isRoot = true;
    expect(systemPlan(ctx).install).toEqual([
      ['security', 'add-trusted-cert', '-d', '-r', 'trustRoot', '-k', '/Library/Keychains/System.keychain', ctx.caPath],
    ]);
  });

  it("Windows: the current user's Root store through certutil", () => {
    ctx.platform = 'win32';
    expect(systemPlan(ctx).install).toEqual([['certutil', '-addstore', '-user', '-f', 'Root', ctx.caPath]]);
    expect(systemPlan(ctx).uninstall).toEqual([['certutil', '-delstore', '-user', 'Root', sha1]]);
  });

  it('WSL: the Linux store and the Windows store, with the CA path translated by wslpath', async () => {
    distro(['usr/local/share/ca-certificates'], {'proc/version': 'Linux version 5.15.90.1-microsoft-standard-WSL2'});
    expect(systemPlan(ctx).kind).toBe('wsl');
    await systemStore.install(ctx);
    expect(calls).toEqual(['update-ca-certificates', `wslpath -w ${ctx.caPath}`, 'certutil.exe -addstore -user -f Root C:\\portico\\ca.pem']);
  });

  it('asks for sudo instead of failing obscurely when a Linux store needs root', async () => {
    distro(['usr/local/share/ca-certificates']);
    ctx.isRoot = false;
    const [result] = await systemStore.install(ctx);
    expect(result).toMatchObject({ok: false, message: 'needs root'});
    expect(result!.fix).toMatch(/sudo portico trust --stores system/);
    expect(calls).toEqual([]);
  });
});
