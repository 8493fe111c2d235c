import type {SecureContext} from 'node:tls';

/** The local root CA, loaded from or written to PORTICO_HOME. */
export interface CertAuthority {
  /** PEM of the root certificate (ca.pem). */
  certPem: string;
  /** PEM of the root key (ca-key.pem, mode 0600). Never printed, never leaves PORTICO_HOME. */
  keyPem: string;
  /** SHA-256 fingerprint of the DER certificate, upper-case hex with colons (as `openssl x509 -fingerprint`). */
  fingerprint256: string;
  /** Subject common name. */
  commonName: string;
  notAfter: Date;
  /** Path of ca.pem. */
  certPath: string;
}

/** TLS material for the proxy: one leaf per hostname, issued on first use through SNI. */
export interface CertProvider {
  readonly ca: CertAuthority;
  /** Context for `servername`, issuing and caching a leaf when there is none or it is near expiry. */
  contextFor(servername: string): Promise<SecureContext>;
  /** Synchronous cache hit, or undefined (lets the SNI callback answer without a tick when warm). */
  cachedContext(servername: string): SecureContext | undefined;
  /** Leaf certificate PEM + key PEM for a hostname (issues if needed). */
  leafFor(servername: string): Promise<{certPem: string; keyPem: string; notAfter: Date}>;
}
