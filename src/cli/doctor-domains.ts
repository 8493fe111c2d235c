import {X509Certificate} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {domainFiles, listDomains} from '../domains/files.js';
import {isLoopbackAddress} from '../hosts/resolve.js';
import {domainOf, isLocalhostName} from '../routes/name.js';
import type {StatePaths} from '../state/home.js';
import type {Check} from './doctor-check.js';

const DAY = 86400_000;

/**
 * Where a route's name resolves on this machine. A `.localhost` name that does not is only a warning
 * (browsers resolve it themselves); a name under an added domain that does not reach loopback is a
 * warning too, but then browsers cannot reach portico either.
 */
export function nameCheck(host: string, addresses: readonly string[]): Check {
  const name = `name ${host}`;
  if (addresses.length > 0 && addresses.every(isLoopbackAddress)) return {name, ok: true, detail: `resolves to ${addresses.join(', ')} (this machine)`};
  if (isLocalhostName(host)) {
    return {
      name,
      ok: true,
      warn: true,
      detail: 'does not resolve on this machine (Chrome, Firefox and curl resolve it anyway)',
      fix: 'For Node, Python, Safari: `sudo portico hosts sync`.',
    };
  }
  const where = addresses.length === 0 ? 'does not resolve' : `resolves to ${addresses.join(', ')}, not this machine`;
  return {
    name,
    ok: true,
    warn: true,
    detail: `${where}: no client reaches portico by this name`,
    fix: 'Run `sudo portico hosts sync` (or point the name at 127.0.0.1 in DNS).',
  };
}

/** One line per added domain: its CA is readable, valid long enough, and what it may sign. */
export function domainChecks(paths: StatePaths, now: number): Check[] {
  return listDomains(paths.home).map((domain) => {
    const file = domainFiles(paths.home, domain).cert;
    try {
      const ca = new X509Certificate(readFileSync(file));
      const days = Math.floor((Date.parse(ca.validTo) - now) / DAY);
      if (days <= 30)
        return {
          name: `ca ${domain}`,
          ok: false,
          detail: days < 0 ? 'expired' : `expires in ${days} days`,
          fix: `Make it again: \`portico domain rm ${domain} && portico domain add ${domain}\`, then \`portico trust\`.`,
        };
      return {name: `ca ${domain}`, ok: true, detail: `signs only names under ${domain}, valid for ${days} more days`};
    } catch (error) {
      return {
        name: `ca ${domain}`,
        ok: false,
        detail: `${file} is unreadable: ${(error as Error).message}`,
        fix: `Restore it, or \`portico domain rm ${domain} && portico domain add ${domain}\`.`,
      };
    }
  });
}

/** The CA certificate file a cached leaf for `host` must be issued by: its domain's, else the localhost CA's. */
export function issuerFileOf(paths: StatePaths, host: string): string {
  const domain = domainOf(host, listDomains(paths.home));
  return domain === undefined ? paths.caCert : domainFiles(paths.home, domain).cert;
}
