import {randomUUID} from 'node:crypto';
import {build} from 'plist';

/**
 * An iOS/iPadOS configuration profile holding the LAN CA as a root (payload type
 * com.apple.security.root). Installing it is step one; iOS then asks for full trust in
 * Settings > General > About > Certificate Trust Settings (the page says so).
 */
export function mobileconfig(caPem: string, caName: string): string {
  const der = Buffer.from(caPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return build({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: 'dev.portico.lan',
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: caName,
    PayloadDescription: 'Trust portico LAN certificates: this CA can sign only the names and the address shared from the developer machine.',
    PayloadContent: [
      {
        PayloadType: 'com.apple.security.root',
        PayloadVersion: 1,
        PayloadIdentifier: 'dev.portico.lan.ca',
        PayloadUUID: randomUUID().toUpperCase(),
        PayloadDisplayName: caName,
        PayloadCertificateFileName: 'portico-lan-ca.cer',
        PayloadContent: der,
      },
    ],
  });
}
