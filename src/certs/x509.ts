import {createHash, randomBytes, sign, type KeyObject} from 'node:crypto';
import type Forge from 'node-forge';
import {nodeForge} from './forge.js';

/** A subject or issuer attribute, always UTF8String: Chrome rejects a PrintableString holding `@`. */
export function utf8Attrs(attrs: Record<string, string>): Forge.pki.CertificateField[] {
  const {asn1} = nodeForge();
  return Object.entries(attrs).map(([name, value]) => ({name, value, valueTagClass: asn1.Type.UTF8 as unknown as Forge.asn1.Class}));
}

/** 16 random bytes, top bit cleared so the DER INTEGER stays positive, never a leading zero byte. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** Key identifier of an RSA public key: SHA-1 of its RSAPublicKey DER (RFC 5280 4.2.1.2 method 1, as forge computes the SKI). */
export function keyIdentifier(publicKey: KeyObject): string {
  return createHash('sha1')
    .update(publicKey.export({type: 'pkcs1', format: 'der'}))
    .digest('hex');
}

/** A name constraints extension, as forge takes an extension it does not know: id, critical, DER value. */
export interface NameConstraintsExtension {
  id: string;
  critical: boolean;
  value: Forge.asn1.Asn1;
}

function ctx(tag: number, bytes: string): Forge.asn1.Asn1 {
  const {asn1} = nodeForge();
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, false, bytes);
}
function subtree(base: Forge.asn1.Asn1): Forge.asn1.Asn1 {
  const {asn1} = nodeForge();
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [base]);
}
const hex = (h: string) => nodeForge().util.hexToBytes(h);

/** Critical name constraints: DNS `localhost` (RFC 5280: it and every name under it), 127.0.0.0/8 and ::1/128. */
export function localhostNameConstraints(): NameConstraintsExtension {
  const {asn1} = nodeForge();
  const permitted = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
    subtree(ctx(2, 'localhost')),
    subtree(ctx(7, hex('7f000000ff000000'))),
    subtree(ctx(7, hex(`${'00'.repeat(15)}01${'ff'.repeat(16)}`))),
  ]);
  return {id: '2.5.29.30', critical: true, value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [permitted])};
}

/**
 * Critical name constraints for the LAN CA (README "Phones on the LAN"): exactly the shared routes'
 * mDNS names and the one LAN IPv4 address (a /32), and nothing else: every other address is excluded
 * by the permitted /32 itself, since a permitted iPAddress subtree limits the whole type.
 */
export function lanNameConstraints(names: readonly string[], ipv4: string): NameConstraintsExtension {
  const {asn1} = nodeForge();
  const ip = ipv4
    .split('.')
    .map((n) => Number(n).toString(16).padStart(2, '0'))
    .join('');
  const permitted = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [...names.map((n) => subtree(ctx(2, n))), subtree(ctx(7, hex(`${ip}ffffffff`)))]);
  // No IPv6 address at all: an all-zero /0 excluded covers every one.
  const excluded = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, true, [subtree(ctx(7, hex('0'.repeat(64))))]);
  return {id: '2.5.29.30', critical: true, value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [permitted, excluded])};
}

/**
 * Critical name constraints for one added domain suffix: DNS `suffix` (it and every name under it) is
 * the only permitted name, and every IPv4 and IPv6 address is excluded. RFC 5280 leaves a name type
 * without a permitted subtree unconstrained, so without the exclusion such a CA could still sign any
 * IP address (the CA/Browser Forum's rule for technically constrained CAs does the same).
 */
export function suffixNameConstraints(suffix: string): NameConstraintsExtension {
  const {asn1} = nodeForge();
  const permitted = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [subtree(ctx(2, suffix))]);
  const excluded = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, true, [subtree(ctx(7, hex('0'.repeat(16)))), subtree(ctx(7, hex('0'.repeat(64))))]);
  return {id: '2.5.29.30', critical: true, value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [permitted, excluded])};
}

/**
 * Serialise `cert` with the subject public key `spkiDer` and sign it with the CA's RSA key through
 * node:crypto (native, ~1 ms; forge's JS RSA takes tens of ms). forge builds the TBS structure but
 * only knows RSA keys, so the SPKI is swapped in afterwards: that lets leaves use ECDSA P-256.
 */
export function signCertificate(cert: Forge.pki.Certificate, spkiDer: Buffer, caKey: KeyObject): string {
  const {asn1, pki, util} = nodeForge();
  cert.signatureOid = pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption!;
  const tbs = (pki as unknown as {getTBSCertificate(c: Forge.pki.Certificate): Forge.asn1.Asn1}).getTBSCertificate(cert);
  // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
  (tbs.value as Forge.asn1.Asn1[])[6] = asn1.fromDer(util.createBuffer(spkiDer.toString('binary')));
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, caKey);
  const algorithm = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.sha256WithRSAEncryption!).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const whole = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithm,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${signature.toString('binary')}`),
  ]);
  const der = Buffer.from(asn1.toDer(whole).getBytes(), 'binary');
  return `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** forge only builds a TBS around an RSA key; signCertificate swaps in the real SPKI, so any RSA key will do. */
export function placeholderKey(rsaPublicPem: string): Forge.pki.rsa.PublicKey {
  const {pki} = nodeForge();
  return pki.publicKeyFromPem(rsaPublicPem) as Forge.pki.rsa.PublicKey;
}
