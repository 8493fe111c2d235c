import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ensureCA} from '../../../src/certs/ca.js';
import {createCertProvider} from '../../../src/certs/provider.js';
import {createDomainCA, deleteDomainCA, domainIssuers} from '../../../src/domains/store.js';
import {domainFiles, listDomains} from '../../../src/domains/files.js';
import {statePaths, type StatePaths} from '../../../src/state/home.js';

let dir: string;
let paths: StatePaths;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-domains-'));
  paths = statePaths(path.join(dir, 'home'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

/** A leaf for `san` signed by `files` with openssl itself: what anyone holding the CA key could make. */
function foreignLeaf(files: {cert: string; key: string}, name: string, san: string): string {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  const out = path.join(dir, `${name}.pem`);
  writeFileSync(ext, `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  execFileSync(
    'openssl',
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${name}`, '-out', csr],
    {stdio: 'ignore'},
  );
  execFileSync(
    'openssl',
    ['x509', '-req', '-in', csr, '-CA', files.cert, '-CAkey', files.key, '-CAcreateserial', '-days', '30', '-extfile', ext, '-out', out],
    {stdio: 'ignore'},
  );
  return out;
}

function verify(caFile: string, leafFile: string): string {
  const r = spawnSync('openssl', ['verify', '-CAfile', caFile, leafFile]);
  return `${r.stdout}${r.stderr}`;
}

describe("an added domain's CA", () => {
  it('is a CA whose critical name constraints permit only that suffix and exclude every IP address', async () => {
    await createDomainCA(paths, 'dev.example.test');
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', domainFiles(paths.home, 'dev.example.test').cert]).toString();
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(
      /Name Constraints: critical\s+Permitted:\s+DNS:dev\.example\.test\s+Excluded:\s+IP:0\.0\.0\.0\/0\.0\.0\.0\s+IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0\s/,
    );
    expect(text).toMatch(/Subject: CN = portico dev\.example\.test CA /);
  });

  it('keeps its key 0600 in its own 0700 directory under domains/, and is listed by that directory alone', async () => {
    const {created} = await createDomainCA(paths, 'dev.example.test');
    expect(created).toBe(true);
    const files = domainFiles(paths.home, 'dev.example.test');
    expect(files.dir).toBe(path.join(paths.home, 'domains', 'dev.example.test'));
    expect(statSync(files.key).mode & 0o777).toBe(0o600);
    expect(statSync(files.dir).mode & 0o777).toBe(0o700);
    expect(listDomains(paths.home)).toEqual(['dev.example.test']);
    expect((await createDomainCA(paths, 'dev.example.test')).created).toBe(false);
  });

  it('issues leaves for names under it through the provider, which openssl verifies against it and not against the localhost CA', async () => {
    await createDomainCA(paths, 'dev.example.test');
    const certs = createCertProvider(await ensureCA(paths), {certsDir: paths.certsDir, issuerFor: domainIssuers(paths.home)});
    const leaf = path.join(dir, 'leaf.pem');
    writeFileSync(leaf, (await certs.leafFor('App.Dev.Example.Test')).certPem);
    expect(verify(domainFiles(paths.home, 'dev.example.test').cert, leaf)).toMatch(/: OK/);
    expect(verify(paths.caCert, leaf)).not.toMatch(/: OK/);
    await expect(certs.leafFor('app.other.test')).rejects.toThrow(/app\.other\.test/);
  });

  it('cannot sign a name outside its suffix or an IP address: openssl refuses both for the name constraints', async () => {
    await createDomainCA(paths, 'dev.example.test');
    const files = domainFiles(paths.home, 'dev.example.test');
    expect(verify(files.cert, foreignLeaf(files, 'inside', 'DNS:api.dev.example.test'))).toMatch(/: OK/);
    expect(verify(files.cert, foreignLeaf(files, 'outside', 'DNS:www.example.com'))).toMatch(/permitted subtree violation/);
    expect(verify(files.cert, foreignLeaf(files, 'lookalike', 'DNS:evil-dev.example.test'))).toMatch(/permitted subtree violation/);
    expect(verify(files.cert, foreignLeaf(files, 'address', 'IP:127.0.0.1'))).toMatch(/excluded subtree violation/);
  });

  it('is replaced in a running provider when the domain is removed and added again', async () => {
    await createDomainCA(paths, 'dev.example.test');
    const certs = createCertProvider(await ensureCA(paths), {certsDir: paths.certsDir, issuerFor: domainIssuers(paths.home)});
    const first = await certs.leafFor('app.dev.example.test');
    deleteDomainCA(paths.home, 'dev.example.test');
    expect(certs.cachedContext('app.dev.example.test')).toBeUndefined();
    await expect(certs.leafFor('app.dev.example.test')).rejects.toThrow(/app\.dev\.example\.test/);
    await createDomainCA(paths, 'dev.example.test');
    const second = await certs.leafFor('app.dev.example.test');
    expect(second.certPem).not.toBe(first.certPem);
    const leaf = path.join(dir, 'leaf.pem');
    writeFileSync(leaf, second.certPem);
    expect(verify(domainFiles(paths.home, 'dev.example.test').cert, leaf)).toMatch(/: OK/);
    expect(readFileSync(domainFiles(paths.home, 'dev.example.test').cert, 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
