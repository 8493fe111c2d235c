import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {caOwnerLabel, createCA, loadCAFiles, type CAFiles, type LoadedCA} from '../certs/ca.js';
import {lanNameConstraints} from '../certs/x509.js';
import {ensureHome, type StatePaths} from '../state/home.js';

export function lanDir(home: string): string {
  return path.join(home, 'lan');
}

export function lanFiles(home: string): CAFiles {
  const dir = lanDir(home);
  return {dir, cert: path.join(dir, 'ca.pem'), key: path.join(dir, 'ca-key.pem')};
}

/**
 * The LAN CA, constrained to exactly `names` and `address`. Kept while those stay the same (a phone
 * that trusts it keeps working); made anew when they change, since a CA's constraints are fixed.
 */
export function ensureLanCA(paths: StatePaths, names: readonly string[], address: string): {ca: LoadedCA; created: boolean} {
  ensureHome(paths.home);
  const files = lanFiles(paths.home);
  const scope = path.join(files.dir, 'scope.json');
  const wanted = JSON.stringify({names: [...names].sort(), address});
  if (existsSync(files.cert) && existsSync(scope) && readFileSync(scope, 'utf8') === wanted) return {ca: loadCAFiles(files), created: false};
  rmSync(files.dir, {recursive: true, force: true});
  mkdirSync(files.dir, {recursive: true, mode: 0o700});
  const ca = createCA(
    files,
    {commonName: `portico LAN CA ${caOwnerLabel()}`, organizationName: 'portico local development CA', constraints: lanNameConstraints(names, address)},
    Date.now,
  );
  writeFileSync(scope, wanted, {mode: 0o600});
  return {ca, created: true};
}
