import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cli} from '../../helpers/cli.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-nss-'));
  env = {...process.env, HOME: dir, PORTICO_HOME: path.join(dir, 'portico'), NODE_EXTRA_CA_CERTS: '', SSL_CERT_FILE: '', CURL_CA_BUNDLE: '', JAVA_HOME: ''};
  delete env.JAVA_HOME;
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const db = () => `sql:${path.join(dir, '.pki', 'nssdb')}`;
const leaf = () => path.join(dir, 'portico', 'certs', 'localhost.pem');
function vfychain(): number {
  try {
    execFileSync('vfychain', ['-d', db(), '-a', '-u', '1', leaf()], {stdio: 'pipe'});
    return 0;
  } catch (error) {
    return (error as {status: number}).status;
  }
}

describe('trust in the NSS store of Chromium and Firefox', () => {
  it('creates the Chromium database when there is none, adds the CA, and a leaf then verifies', async () => {
    const trust = await cli(['trust', '--stores', 'nss'], {env});
    expect(trust.code, trust.stdout + trust.stderr).toBe(0);
    expect(trust.stdout).toMatch(/✓ nss Chromium\/Chrome: trusted/);
    expect(execFileSync('certutil', ['-L', '-d', db()]).toString()).toMatch(/portico local CA .*\s+C,,/);
    expect(vfychain()).toBe(0);
  });

  it('is idempotent: a second run changes nothing', async () => {
    await cli(['trust', '--stores', 'nss'], {env});
    const again = await cli(['trust', '--stores', 'nss'], {env});
    expect(again.stdout).toMatch(/already trusted/);
    expect(
      execFileSync('certutil', ['-L', '-d', db()])
        .toString()
        .match(/portico local CA/g),
    ).toHaveLength(1);
  });

  it('checks real trust both ways and untrust removes exactly the CA', async () => {
    const before = await cli(['trust', '--check', '--stores', 'nss'], {env});
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/✗ nss Chromium\/Chrome: does not trust the portico CA/);
    await cli(['trust', '--stores', 'nss'], {env});
    const ok = await cli(['trust', '--check', '--stores', 'nss'], {env});
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/leaf verified/);
    // Something else the user trusts stays.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        path.join(dir, 'o.key'),
        '-out',
        path.join(dir, 'other.pem'),
        '-subj',
        '/CN=other',
        '-days',
        '1',
      ],
      {stdio: 'pipe'},
    );
    execFileSync('certutil', ['-A', '-d', db(), '-t', 'C,,', '-n', 'other CA', '-i', path.join(dir, 'other.pem')]);
    const un = await cli(['untrust', '--stores', 'nss'], {env});
    expect(un.code).toBe(0);
    const listing = execFileSync('certutil', ['-L', '-d', db()]).toString();
    expect(listing).not.toMatch(/portico local CA/);
    expect(listing).toMatch(/other CA/);
    expect(vfychain()).not.toBe(0);
    expect((await cli(['trust', '--check', '--stores', 'nss'], {env})).code).toBe(1);
    // Eight CLI runs and a dozen certutil calls: minutes on a busy 2-core machine, not a hang.
  });

  it('trusts every Firefox profile too', async () => {
    const profile = path.join(dir, '.mozilla', 'firefox', 'abcd.default-release');
    execFileSync('mkdir', ['-p', profile]);
    execFileSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
    const trust = await cli(['trust', '--stores', 'nss'], {env});
    expect(trust.stdout).toMatch(/✓ nss Firefox profile abcd\.default-release: trusted/);
    expect(execFileSync('certutil', ['-L', '-d', `sql:${profile}`]).toString()).toMatch(/portico local CA/);
  });

  it('says which package provides certutil when it is missing', async () => {
    const result = await cli(['trust', '--stores', 'nss'], {env: {...env, PATH: '/nonexistent'}});
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/certutil is not installed.*\n\s+Install it with `sudo apt-get install libnss3-tools`/);
  });

  it('names an unknown store', async () => {
    const result = await cli(['trust', '--stores', 'nss,safari'], {env});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid store `safari` in --stores/);
  });
});

describe('trust for Node', () => {
  it('prints the NODE_EXTRA_CA_CERTS line, combining with a bundle already set', async () => {
    const plain = await cli(['trust', '--stores', 'node'], {env});
    expect(plain.stdout).toContain(`export NODE_EXTRA_CA_CERTS=${path.join(dir, 'portico', 'ca.pem')}`);
    const withBundle = await cli(['trust', '--stores', 'node'], {env: {...env, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt'}});
    expect(withBundle.stdout).toContain(
      `→ node: Node reads no trust store: add \`export NODE_EXTRA_CA_CERTS=${path.join(dir, 'portico', 'node-ca-bundle.pem')}\` to your shell profile (your bundle plus the portico CA)`,
    );
    // Advice, not a store that failed: trust exits 0.
    expect(withBundle.code).toBe(0);
  });
});
