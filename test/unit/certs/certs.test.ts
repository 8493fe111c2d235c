import {execFileSync, spawnSync} from 'node:child_process';
import {X509Certificate} from 'node:crypto';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, unlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ensureCA} from '../../../src/certs/ca.js';
import {createCertProvider} from '../../../src/certs/provider.js';
import {statePaths, type StatePaths} from '../../../src/state/home.js';

function x509Text(pem: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], {input: pem}).toString();
}

let dir: string;
let paths: StatePaths;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-certs-'));
  paths = statePaths(path.join(dir, 'home'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

describe('the local CA', () => {
  it('is a 10-year RSA root limited to localhost and loopback by critical name constraints', async () => {
    const ca = await ensureCA(paths);
    const text = x509Text(readFileSync(paths.caCert, 'utf8'));
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(/Subject Key Identifier/);
    expect(text).toMatch(
      /Name Constraints: critical\s+Permitted:\s+DNS:localhost\s+IP:127\.0\.0\.0\/255\.0\.0\.0\s+IP:0:0:0:0:0:0:0:1\/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF/,
    );
    expect(text).toMatch(/Subject: CN = portico local CA /);
    const years = (ca.notAfter.getTime() - Date.now()) / (365.25 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
  });

  it('writes its name as UTF8String so a user@host common name is valid', async () => {
    await ensureCA(paths);
    const asn1 = execFileSync('openssl', ['asn1parse', '-in', paths.caCert]).toString();
    expect(asn1).toMatch(/UTF8STRING\s+:portico local CA /);
    expect(asn1).not.toMatch(/PRINTABLESTRING/);
  });

  it('keeps its key 0600 in a 0700 directory', async () => {
    await ensureCA(paths);
    expect(statSync(paths.caKey).mode & 0o777).toBe(0o600);
    expect(statSync(paths.home).mode & 0o777).toBe(0o700);
  });

  it('is loaded, not recreated, on the next start', async () => {
    const first = await ensureCA(paths);
    const second = await ensureCA(paths);
    expect(second.fingerprint256).toBe(first.fingerprint256);
  });

  it('refuses to silently replace a CA whose key went missing', async () => {
    await ensureCA(paths);
    const before = readFileSync(paths.caCert, 'utf8');
    unlinkSync(paths.caKey);
    await expect(ensureCA(paths)).rejects.toThrow(/ca-key\.pem` is missing/);
    expect(readFileSync(paths.caCert, 'utf8')).toBe(before);
  });

  it('reports a corrupt CA file instead of serving with it', async () => {
    await ensureCA(paths);
    writeFileSync(paths.caCert, 'garbage');
    await expect(ensureCA(paths)).rejects.toThrow(/is corrupt/);
  });

  it('waits for a CA another process is writing instead of calling it incomplete', async () => {
    const other = statePaths(path.join(dir, 'other'));
    const made = await ensureCA(other);
    // The other process has written the key, not yet the certificate, and holds the create lock.
    mkdirSync(paths.home, {recursive: true, mode: 0o700});
    writeFileSync(paths.caKey, readFileSync(other.caKey), {mode: 0o600});
    writeFileSync(`${paths.caKey}.lock`, '');
    const loading = ensureCA(paths);
    writeFileSync(paths.caCert, readFileSync(other.caCert));
    unlinkSync(`${paths.caKey}.lock`);
    expect((await loading).fingerprint256).toBe(made.fingerprint256);
  });

  it('takes over the create lock of a process that died making the CA (a Ctrl-C during `trust`)', async () => {
    mkdirSync(paths.home, {recursive: true, mode: 0o700});
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(`${paths.caKey}.lock`, dead);
    const ca = await ensureCA(paths);
    expect(ca.fingerprint256).toBe(new X509Certificate(readFileSync(paths.caCert)).fingerprint256);
    expect(existsSync(`${paths.caKey}.lock`)).toBe(false);
  });

  it('makes one CA when two processes start at once', async () => {
    const [a, b] = await Promise.all([ensureCA(paths), ensureCA(paths)]);
    expect(a.fingerprint256).toBe(b.fingerprint256);
  });
});

describe('leaf certificates', () => {
  it('are issued per name with SAN, serverAuth, at most 825 days, and verify against the CA', async () => {
    const ca = await ensureCA(paths);
    const certs = createCertProvider(ca, {certsDir: paths.certsDir});
    const leaf = await certs.leafFor('App.localhost');
    const text = x509Text(leaf.certPem);
    expect(text).toMatch(/Subject: CN = app\.localhost/);
    expect(text).toMatch(/Subject Alternative Name:\s+DNS:app\.localhost\s/);
    expect(text).not.toMatch(/\*\./);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    const notBefore = new Date(/Not Before: (.+)/.exec(text)![1]!);
    const notAfter = new Date(/Not After : (.+)/.exec(text)![1]!);
    expect((notAfter.getTime() - notBefore.getTime()) / 86400_000).toBeLessThanOrEqual(825);
    const leafFile = path.join(dir, 'leaf.pem');
    writeFileSync(leafFile, leaf.certPem);
    expect(execFileSync('openssl', ['verify', '-CAfile', paths.caCert, leafFile]).toString()).toMatch(/OK/);
  });

  it('cover 127.0.0.1 and ::1 for localhost itself', async () => {
    const certs = createCertProvider(await ensureCA(paths), {certsDir: paths.certsDir});
    const text = x509Text((await certs.leafFor('localhost')).certPem);
    expect(text).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
  });

  it('are cached on disk and reused by the next process', async () => {
    const ca = await ensureCA(paths);
    const first = await createCertProvider(ca, {certsDir: paths.certsDir}).leafFor('api.localhost');
    expect(existsSync(path.join(paths.certsDir, 'api.localhost.pem'))).toBe(true);
    const again = await createCertProvider(ca, {certsDir: paths.certsDir}).leafFor('api.localhost');
    expect(again.certPem).toBe(first.certPem);
  });

  it('are reissued when within 30 days of expiry', async () => {
    const ca = await ensureCA(paths);
    const first = await createCertProvider(ca, {certsDir: paths.certsDir}).leafFor('api.localhost');
    const later = Date.now() + 800 * 86400_000;
    const renewed = await createCertProvider(ca, {certsDir: paths.certsDir, now: () => later}).leafFor('api.localhost');
    expect(renewed.certPem).not.toBe(first.certPem);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
  });

  it('are reissued when the CA changed', async () => {
    const ca1 = await ensureCA(paths);
    const first = await createCertProvider(ca1, {certsDir: paths.certsDir}).leafFor('api.localhost');
    rmSync(paths.caCert);
    rmSync(paths.caKey);
    const ca2 = await ensureCA(paths);
    const second = await createCertProvider(ca2, {certsDir: paths.certsDir}).leafFor('api.localhost');
    expect(second.certPem).not.toBe(first.certPem);
    const leafFile = path.join(dir, 'leaf.pem');
    writeFileSync(leafFile, second.certPem);
    expect(execFileSync('openssl', ['verify', '-CAfile', paths.caCert, leafFile]).toString()).toMatch(/OK/);
  });

  it('are refused for names outside .localhost', async () => {
    const certs = createCertProvider(await ensureCA(paths), {certsDir: paths.certsDir});
    await expect(certs.leafFor('example.com')).rejects.toThrow(/example\.com/);
  });
});
