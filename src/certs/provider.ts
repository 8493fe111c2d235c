import {X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject} from 'node:crypto';
import {mkdirSync, readFileSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {createSecureContext, type SecureContext} from 'node:tls';
import type Forge from 'node-forge';
import {nodeForge} from './forge.js';
import {writeFileAtomic} from '../state/atomic.js';
import {hostSyntax, isLocalhostName} from '../routes/name.js';
import {UserError} from '../errors.js';
import type {LoadedCA} from './ca.js';
import type {CertProvider} from './types.js';
import {placeholderKey, randomSerial, signCertificate, utf8Attrs} from './x509.js';

export interface CertProviderOptions {
  /** Directory for cached leaves (`$PORTICO_HOME/certs`). */
  certsDir: string;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
  /** Leaves are reissued when this close to expiry. Default 30 days. */
  renewBeforeMs?: number;
  /** Leaf validity. Default 820 days (Apple and browsers refuse more than 825). */
  validityMs?: number;
  /** Most leaves kept in memory. Default 512. */
  maxCached?: number;
  /**
   * The CA for a name outside `.localhost`: an added domain's (README "Your own dev domains"), or
   * undefined to refuse it. Asked on every handshake for such a name, so a domain removed or made
   * again while the daemon runs is seen at once. Default: every such name is refused.
   */
  issuerFor?: (host: string) => LoadedCA | undefined;
  /**
   * TLS session ticket keys (48 bytes) for every name's context. The processes of one proxy share
   * them (README "Workers"), so a client resumes its session whichever process gets its connection.
   * Default: each context its own.
   */
  ticketKeys?: Buffer;
}

interface Leaf {
  /** The CA that signed it: a leaf of another CA than the name's current one is never served. */
  issuer: LoadedCA;
  certPem: string;
  keyPem: string;
  notAfter: Date;
  context: SecureContext;
}

const DAY = 24 * 3600 * 1000;

/**
 * Leaves are issued on the first TLS handshake for a name (through SNI), cached in memory and on disk,
 * and reissued near expiry or when the CA changed. All leaves share one ECDSA P-256 key kept in
 * certs/leaf-key.pem (0600): a local CA may reuse leaf keys, and it makes issuance ~2 ms instead of
 * an RSA keygen per name, and ECDSA handshakes are cheaper than RSA ones.
 */
export function createCertProvider(ca: LoadedCA, options: CertProviderOptions): CertProvider {
  const now = options.now ?? Date.now;
  const tickets = options.ticketKeys ? {ticketKeys: options.ticketKeys} : {};
  const renewBefore = options.renewBeforeMs ?? 30 * DAY;
  const validity = options.validityMs ?? 820 * DAY;
  const maxCached = options.maxCached ?? 512;
  mkdirSync(options.certsDir, {recursive: true, mode: 0o700});
  const leafKey = loadOrCreateLeafKey(path.join(options.certsDir, 'leaf-key.pem'));
  const keyPem = leafKey.export({type: 'pkcs8', format: 'pem'}).toString();
  const spkiDer = createPublicKey(leafKey).export({type: 'spki', format: 'der'});
  const cache = new Map<string, Leaf>();
  const pending = new Map<string, Promise<Leaf>>();

  const issuerOf = (host: string): LoadedCA | undefined => (isLocalhostName(host) ? ca : options.issuerFor?.(host));
  const fresh = (leaf: Leaf | undefined, issuer: LoadedCA | undefined): leaf is Leaf =>
    leaf !== undefined && leaf.issuer === issuer && leaf.notAfter.getTime() - now() > renewBefore;

  function remember(host: string, leaf: Leaf): Leaf {
    cache.delete(host);
    cache.set(host, leaf);
    if (cache.size > maxCached) cache.delete(cache.keys().next().value!);
    return leaf;
  }

  function fromDisk(host: string, issuer: LoadedCA): Leaf | undefined {
    let certPem: string;
    try {
      certPem = readFileSync(leafPath(options.certsDir, host), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const x509 = new X509Certificate(certPem);
      // A leaf of an earlier CA (deleted and recreated) must not be served: browsers would refuse it.
      if (!x509.checkIssued(issuer.x509) || !x509.verify(issuer.x509.publicKey) || !x509.checkPrivateKey(leafKey)) return undefined;
      const leaf = {
        issuer,
        certPem,
        keyPem,
        notAfter: new Date(x509.validTo),
        context: createSecureContext({cert: certPem, key: keyPem, ...tickets}),
      };
      return fresh(leaf, issuer) ? leaf : undefined;
    } catch {
      return undefined;
    }
  }

  async function issue(host: string, issuer: LoadedCA): Promise<Leaf> {
    const certPem = issueLeaf(issuer, host, spkiDer, now(), validity);
    const leaf = {
      issuer,
      certPem,
      keyPem,
      notAfter: new Date(now() + validity - 3600_000),
      context: createSecureContext({cert: certPem, key: keyPem, ...tickets}),
    };
    // Written after the handshake can proceed; a failed cache write costs a reissue next start, nothing more.
    await writeFile(leafPath(options.certsDir, host), certPem, {mode: 0o644}).catch(() => {});
    return leaf;
  }

  async function leafFor(servername: string): Promise<Leaf> {
    const host = hostSyntax(servername);
    const issuer = issuerOf(host);
    if (!issuer) {
      throw new UserError(
        `Invalid name \`${servername}\`: portico issues certificates only for \`localhost\`, names under \`.localhost\` and names under added domains.`,
      );
    }
    const cached = cache.get(host);
    if (fresh(cached, issuer)) return cached;
    const inFlight = pending.get(host);
    if (inFlight) return inFlight;
    const promise = Promise.resolve()
      .then(() => fromDisk(host, issuer) ?? issue(host, issuer))
      .then((leaf) => remember(host, leaf))
      .finally(() => pending.delete(host));
    pending.set(host, promise);
    return promise;
  }

  return {
    ca,
    async contextFor(servername) {
      return (await leafFor(servername)).context;
    },
    cachedContext(servername) {
      const leaf = cache.get(servername);
      return leaf && fresh(leaf, issuerOf(servername)) ? leaf.context : undefined;
    },
    async leafFor(servername) {
      const {certPem, keyPem: key, notAfter} = await leafFor(servername);
      return {certPem, keyPem: key, notAfter};
    },
  };
}

function leafPath(dir: string, host: string): string {
  return path.join(dir, `${host}.pem`);
}

function loadOrCreateLeafKey(file: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(file, 'utf8'));
  } catch {
    const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'});
    writeFileAtomic(file, privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), 0o600);
    return privateKey;
  }
}

/** One leaf: CN and SAN = host (plus 127.0.0.1 and ::1 for `localhost`), serverAuth, <= 825 days. */
export function issueLeaf(
  ca: LoadedCA,
  host: string,
  spkiDer: Buffer,
  nowMs: number,
  validityMs: number,
  more: {names?: readonly string[]; ips?: readonly string[]} = {},
): string {
  const cert = nodeForge().pki.createCertificate();
  const {issuer, publicKey} = caParts(ca);
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  // Backdated an hour: a clock a little behind the machine's must not see a not-yet-valid certificate.
  cert.validity.notBefore = new Date(nowMs - 3600_000);
  cert.validity.notAfter = new Date(nowMs + validityMs - 3600_000);
  cert.setSubject(utf8Attrs({commonName: host, organizationName: 'portico local development'}));
  cert.setIssuer(issuer);
  const altNames: Array<{type: number; value?: string; ip?: string}> = [{type: 2, value: host}];
  if (host === 'localhost') altNames.push({type: 7, ip: '127.0.0.1'}, {type: 7, ip: '::1'});
  for (const name of more.names ?? []) altNames.push({type: 2, value: name});
  for (const ip of more.ips ?? []) altNames.push({type: 7, ip});
  cert.setExtensions([
    {name: 'basicConstraints', cA: false, critical: true},
    {name: 'keyUsage', digitalSignature: true, critical: true},
    {name: 'extKeyUsage', serverAuth: true},
    {name: 'subjectAltName', altNames},
    {name: 'authorityKeyIdentifier', keyIdentifier: nodeForge().util.hexToBytes(ca.keyId)},
  ]);
  return signCertificate(cert, spkiDer, ca.key);
}

/** forge's parse of the CA, once per CA: the issuer name must match the CA subject byte for byte. */
const parsed = new WeakMap<LoadedCA, {issuer: Forge.pki.CertificateField[]; publicKey: Forge.pki.rsa.PublicKey}>();
function caParts(ca: LoadedCA): {issuer: Forge.pki.CertificateField[]; publicKey: Forge.pki.rsa.PublicKey} {
  let parts = parsed.get(ca);
  if (!parts) {
    parts = {issuer: nodeForge().pki.certificateFromPem(ca.certPem).subject.attributes, publicKey: placeholderKey(ca.publicPem)};
    parsed.set(ca, parts);
  }
  return parts;
}
