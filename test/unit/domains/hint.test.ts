import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ensureCA} from '../../../src/certs/ca.js';
import {createDomainCA} from '../../../src/domains/store.js';
import {domainFiles, porticoCaFile} from '../../../src/domains/files.js';
import {statePaths, type StatePaths} from '../../../src/state/home.js';
import {trustHint} from '../../../src/trust/hint.js';
import {updateMarker} from '../../../src/trust/marker.js';

let dir: string;
let paths: StatePaths;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-domain-hint-'));
  paths = statePaths(path.join(dir, 'home'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

describe('the trust hint with an added domain', () => {
  it("names the domain whose CA browsers do not trust yet, and goes once every CA's marker says NSS trusts it", async () => {
    const root = await ensureCA(paths);
    const {ca} = await createDomainCA(paths, 'dev.example.test');
    updateMarker(paths.home, root.fingerprint256, {add: ['nss']});
    expect(trustHint(paths, {platform: 'linux', env: {}})).toBe(
      '! The portico CA for `dev.example.test` is not trusted yet: run `portico trust` so browsers open these https URLs without a certificate warning.',
    );
    updateMarker(domainFiles(paths.home, 'dev.example.test').dir, ca.fingerprint256, {add: ['nss']});
    expect(trustHint(paths, {platform: 'linux', env: {}})).toBeUndefined();
  });

  it('gives Node one file holding every CA once a domain is added', async () => {
    await ensureCA(paths);
    expect(porticoCaFile(paths)).toBe(paths.caCert);
    await createDomainCA(paths, 'dev.example.test');
    expect(porticoCaFile(paths)).toBe(path.join(paths.home, 'ca-bundle.pem'));
  });
});
