import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parse} from 'plist';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ensureLanCA, lanFiles} from '../../../src/lan/ca.js';
import {lanAddress, lanName} from '../../../src/lan/plan.js';
import {mobileconfig} from '../../../src/lan/profile.js';
import {statePaths, type StatePaths} from '../../../src/state/home.js';

let dir: string;
let paths: StatePaths;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-lan-unit-'));
  paths = statePaths(path.join(dir, 'home'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

function leafFromLanKey(name: string, san: string): string {
  const files = lanFiles(paths.home);
  const ext = path.join(dir, `${name}.ext`);
  const out = path.join(dir, `${name}.pem`);
  writeFileSync(ext, `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\n`);
  execFileSync(
    'openssl',
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path.join(dir, `${name}.key`),
      '-subj',
      `/CN=${name}`,
      '-out',
      path.join(dir, `${name}.csr`),
    ],
    {stdio: 'ignore'},
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      path.join(dir, `${name}.csr`),
      '-CA',
      files.cert,
      '-CAkey',
      files.key,
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      ext,
      '-out',
      out,
    ],
    {stdio: 'ignore'},
  );
  const r = spawnSync('openssl', ['verify', '-CAfile', files.cert, out]);
  return `${r.stdout}${r.stderr}`;
}

describe('the LAN CA', () => {
  it('can sign the shared names and the LAN address and nothing else: openssl refuses another name, address or IPv6', () => {
    ensureLanCA(paths, ['app.local'], '192.168.7.20');
    expect(leafFromLanKey('ok', 'DNS:app.local,IP:192.168.7.20')).toMatch(/: OK/);
    expect(leafFromLanKey('name', 'DNS:bank.example.com')).toMatch(/permitted subtree violation/);
    expect(leafFromLanKey('other', 'DNS:api.local')).toMatch(/permitted subtree violation/);
    expect(leafFromLanKey('addr', 'IP:192.168.7.21')).toMatch(/permitted subtree violation/);
    expect(leafFromLanKey('v6', 'IP:fe80::1')).toMatch(/(permitted|excluded) subtree violation/);
  });

  it('is kept while the shared names and address stay the same, and made anew when they change', () => {
    const first = ensureLanCA(paths, ['app.local'], '192.168.7.20');
    expect(first.created).toBe(true);
    expect(ensureLanCA(paths, ['app.local'], '192.168.7.20')).toMatchObject({created: false});
    const moved = ensureLanCA(paths, ['app.local'], '192.168.7.30');
    expect(moved.created).toBe(true);
    expect(moved.ca.fingerprint256).not.toBe(first.ca.fingerprint256);
  });

  it('goes into an iOS profile a plist parser reads back as a root certificate payload', () => {
    const {ca} = ensureLanCA(paths, ['app.local'], '192.168.7.20');
    const profile = parse(mobileconfig(ca.certPem, ca.commonName)) as {
      PayloadType: string;
      PayloadContent: Array<{PayloadType: string; PayloadContent: Buffer}>;
    };
    expect(profile.PayloadType).toBe('Configuration');
    expect(profile.PayloadContent[0]!.PayloadType).toBe('com.apple.security.root');
    expect(Buffer.from(profile.PayloadContent[0]!.PayloadContent).equals(Buffer.from(ca.x509.raw))).toBe(true);
  });
});

describe('LAN names and address', () => {
  it('gives each route a .local name a phone resolves over mDNS', () => {
    expect(lanName('app.localhost')).toBe('app.local');
    expect(lanName('a.b.localhost')).toBe('a-b.local');
    expect(lanName('app.dev.example.test')).toBe('app-dev-example-test.local');
  });

  it('picks the first non-loopback IPv4 address, and refuses an --address that is not IPv4 with exit 2', () => {
    const interfaces = {
      lo: [{address: '127.0.0.1', family: 'IPv4', internal: true}],
      eth0: [
        {address: 'fe80::1', family: 'IPv6', internal: false},
        {address: '192.168.1.20', family: 'IPv4', internal: false},
      ],
    } as unknown as ReturnType<typeof os.networkInterfaces>;
    expect(lanAddress(undefined, interfaces)).toBe('192.168.1.20');
    expect(() => lanAddress('phone.local')).toThrow("Invalid --address `phone.local`: expected this machine's IPv4 address on the LAN.");
  });
});
