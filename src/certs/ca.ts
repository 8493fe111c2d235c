import {X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject} from 'node:crypto';
import {chmodSync, chownSync, existsSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import {nodeForge} from './forge.js';
import {UserError, errorCode} from '../errors.js';
import {writeFileAtomic} from '../state/atomic.js';
import {withLock} from '../state/lock.js';
import {ensureHome, realUser, type StatePaths} from '../state/home.js';
import type {CertAuthority} from './types.js';
import {keyIdentifier, localhostNameConstraints, placeholderKey, randomSerial, signCertificate, utf8Attrs, type NameConstraintsExtension} from './x509.js';

/** The CA with what issuing leaves needs; the public CertAuthority fields plus the parsed key. */
export interface LoadedCA extends CertAuthority {
  key: KeyObject;
  x509: X509Certificate;
  /** Subject key identifier (hex), the leaves' authority key identifier. */
  keyId: string;
  /** The CA public key as PEM (forge needs an RSA key to build a TBS). */
  publicPem: string;
}

export interface EnsureCAOptions {
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
  /** Create the CA when none exists. Default true. */
  create?: boolean;
}

/** Where one CA lives: its directory, certificate and key (0600). */
export interface CAFiles {
  dir: string;
  cert: string;
  key: string;
}

/** What a new CA says about itself and what it may sign. */
export interface CASpec {
  commonName: string;
  organizationName: string;
  /** Critical name constraints: every CA portico makes carries them (README "Security model"). */
  constraints: NameConstraintsExtension;
}

const TEN_YEARS_MS = 10 * 365.25 * 24 * 3600 * 1000;

function rootFiles(paths: StatePaths): CAFiles {
  return {dir: paths.home, cert: paths.caCert, key: paths.caKey};
}

/** The `user@host` every CA's name carries, so a store listing says whose CA it is. */
export function caOwnerLabel(): string {
  return `${realUser().name}@${os.hostname()}`;
}

/**
 * Load the CA from PORTICO_HOME, or create it (RSA 2048, 10 years, CA:TRUE pathlen 0, critical name
 * constraints to localhost and loopback). A half-present or unreadable CA is an error, never silently
 * replaced: the user may already trust it in their browsers.
 */
export async function ensureCA(paths: StatePaths, options: EnsureCAOptions = {}): Promise<LoadedCA> {
  if (existsSync(paths.caCert) && existsSync(paths.caKey)) return loadCA(paths);
  if (options.create === false && !existsSync(paths.caCert) && !existsSync(paths.caKey)) throw noCA(paths);
  ensureHome(paths.home);
  // Judged under the create lock: another process making the CA writes the key before the
  // certificate, so a half-present CA seen without the lock may be one being made right now.
  return withCreateLock(paths.caKey, () => {
    const hasCert = existsSync(paths.caCert);
    const hasKey = existsSync(paths.caKey);
    if (hasCert && hasKey) return loadCA(paths);
    if (hasCert !== hasKey) {
      const missing = hasCert ? paths.caKey : paths.caCert;
      throw new UserError(`The portico CA is incomplete: \`${missing}\` is missing.`, {
        hint: `Restore it, or delete \`${hasCert ? paths.caCert : paths.caKey}\` to make a new CA (then run \`portico trust\` again).`,
      });
    }
    if (options.create === false) throw noCA(paths);
    const spec: CASpec = {
      commonName: `portico local CA ${caOwnerLabel()}`,
      organizationName: 'portico local development CA',
      constraints: localhostNameConstraints(),
    };
    return createCA(rootFiles(paths), spec, options.now ?? Date.now);
  });
}

function noCA(paths: StatePaths): UserError {
  return new UserError(`No portico CA in \`${paths.home}\`.`, {hint: 'Run `portico trust` or `portico up` to create it.'});
}

/**
 * Make a CA (RSA 2048 through node:crypto, 10 years, CA:TRUE pathlen 0) limited by `spec.constraints`,
 * key written first with mode 0600. The caller has made `files.dir` and holds the create lock.
 */
export function createCA(files: CAFiles, spec: CASpec, now: () => number): LoadedCA {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
  const publicPem = publicKey.export({type: 'spki', format: 'pem'}).toString();
  const spkiDer = publicKey.export({type: 'spki', format: 'der'});
  const cert = nodeForge().pki.createCertificate();
  cert.publicKey = placeholderKey(publicPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now() - 3600_000);
  cert.validity.notAfter = new Date(now() + TEN_YEARS_MS);
  const name = utf8Attrs({commonName: spec.commonName, organizationName: spec.organizationName});
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    {name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true},
    {name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true},
    {name: 'subjectKeyIdentifier'},
    spec.constraints,
  ]);
  const certPem = signCertificate(cert, spkiDer, privateKey);
  const keyPem = privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
  writeFileAtomic(files.key, keyPem, 0o600);
  writeFileAtomic(files.cert, certPem, 0o644);
  chownToUser(files.key);
  chownToUser(files.cert);
  return loadCAFiles(files);
}

function loadCA(paths: StatePaths): LoadedCA {
  return loadCAFiles(rootFiles(paths));
}

/** Load and check one CA: readable, parseable, key matching certificate, key mode tightened to 0600. */
export function loadCAFiles(files: CAFiles): LoadedCA {
  let certPem: string;
  let keyPem: string;
  try {
    certPem = readFileSync(files.cert, 'utf8');
    keyPem = readFileSync(files.key, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read the portico CA in \`${files.dir}\`: ${errorCode(error) ?? (error as Error).message}.`, {cause: error});
  }
  let x509: X509Certificate;
  let key: KeyObject;
  try {
    x509 = new X509Certificate(certPem);
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new UserError(`The portico CA in \`${files.dir}\` is corrupt: ${(error as Error).message}.`, {
      hint: `Restore ca.pem and ca-key.pem, or move both away to make a new CA (then run \`portico trust\` again).`,
      cause: error,
    });
  }
  if (!x509.checkPrivateKey(key)) {
    throw new UserError(`The portico CA in \`${files.dir}\` is corrupt: ca-key.pem does not belong to ca.pem.`, {
      hint: 'Restore the matching pair, or move both away to make a new CA (then run `portico trust` again).',
    });
  }
  tightenKeyMode(files.key);
  const publicKey = createPublicKey(key);
  return {
    certPem,
    keyPem,
    key,
    x509,
    keyId: keyIdentifier(publicKey),
    publicPem: publicKey.export({type: 'spki', format: 'pem'}).toString(),
    fingerprint256: x509.fingerprint256,
    commonName: /CN=([^\n]+)/.exec(x509.subject)?.[1] ?? 'portico local CA',
    notAfter: new Date(x509.validTo),
    certPath: files.cert,
  };
}

/** The key must stay 0600; repair a looser mode (a copy, an unpack) rather than serve with it. */
function tightenKeyMode(file: string): void {
  if (process.platform === 'win32') return;
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}

function chownToUser(file: string): void {
  const user = realUser();
  if (user.uid !== undefined && process.getuid?.() === 0) {
    // Under sudo the CA belongs to the user who ran it, so their later non-root runs can read it.
    chownSync(file, user.uid, user.gid ?? user.uid);
  }
}

/** Two processes starting at once (`up` and `trust`) must not make two different CAs. */
export function withCreateLock<T>(keyFile: string, fn: () => T): Promise<T> {
  return withLock(`${keyFile}.lock`, async () => fn(), {doing: 'making a CA'});
}
