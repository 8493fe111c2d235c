import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {domainFiles, isUnderAddedDomain} from '../../../src/domains/files.js';
import {corsGrant} from '../../../src/frontdoor/cors.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'portico-cors-self-'));
});
afterEach(() => rmSync(home, {recursive: true, force: true}));

/** An added domain as `domain add` leaves it on disk: its CA's ca.pem under domains/<suffix>/. */
const addDomain = (suffix: string) => {
  const files = domainFiles(home, suffix);
  mkdirSync(files.dir, {recursive: true});
  writeFileSync(files.cert, 'CA');
};

describe('--cors self and added domains', () => {
  it('counts names under an added domain as this portico, on the port the request came in on', () => {
    addDomain('dev.example.com');
    const own = (host: string) => isUnderAddedDomain(home, host);
    expect(corsGrant(['self'], 'https://app.dev.example.com', 443, own)).toBe('credentials');
    expect(corsGrant(['self'], 'https://dev.example.com', 443, own)).toBe('credentials');
    expect(corsGrant(['self'], 'https://app.dev.example.com:1443', 1443, own)).toBe('credentials');
    // Another port, plain http, a look-alike name, or another domain: not this portico's pages.
    expect(corsGrant(['self'], 'https://app.dev.example.com:8443', 443, own)).toBeUndefined();
    expect(corsGrant(['self'], 'http://app.dev.example.com', 443, own)).toBeUndefined();
    expect(corsGrant(['self'], 'https://app.dev.example.com.evil.test', 443, own)).toBeUndefined();
    expect(corsGrant(['self'], 'https://appdev.example.com', 443, own)).toBeUndefined();
    expect(corsGrant(['self'], 'https://example.com', 443, own)).toBeUndefined();
    // Without the daemon's knowledge of domains, only *.localhost is self.
    expect(corsGrant(['self'], 'https://app.dev.example.com', 443)).toBeUndefined();
    expect(corsGrant(['self'], 'https://app.localhost', 443)).toBe('credentials');
  });

  it('takes a single-label suffix, and nothing once the domain is removed', () => {
    addDomain('test');
    expect(isUnderAddedDomain(home, 'shop.test')).toBe(true);
    rmSync(domainFiles(home, 'test').dir, {recursive: true});
    expect(isUnderAddedDomain(home, 'shop.test')).toBe(false);
  });

  it('never reads a path a host name could spell', () => {
    addDomain('dev.example.com');
    expect(isUnderAddedDomain(home, '../domains/dev.example.com')).toBe(false);
    expect(isUnderAddedDomain(home, 'APP.DEV.EXAMPLE.COM')).toBe(false);
  });
});
