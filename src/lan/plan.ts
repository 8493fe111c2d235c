import os from 'node:os';
import {isIP} from 'node:net';
import {UserError} from '../errors.js';

/** One shared route as the LAN sees it: the route's host and the mDNS name a phone uses for it. */
export interface LanShare {
  /** The route host portico serves on loopback (`app.localhost`). */
  host: string;
  /** Its name on the LAN (`app.local`), answered over mDNS with the LAN address. */
  name: string;
}

/** `app.localhost` -> `app.local`, `a.b.localhost` -> `a-b.local`, `app.dev.example.test` -> `app-dev-example-test.local`. */
export function lanName(host: string): string {
  const base = host === 'localhost' ? 'portico' : host.replace(/\.localhost$/, '');
  return `${base.replace(/\./g, '-')}.local`;
}

/**
 * The address phones reach this machine at: `explicit` (checked), else the first non-internal IPv4
 * address of an interface that is up. IPv6 link-local addresses need a zone a phone's URL cannot carry.
 */
export function lanAddress(explicit: string | undefined, interfaces = os.networkInterfaces()): string {
  if (explicit !== undefined) {
    if (isIP(explicit) !== 4) throw new UserError(`Invalid --address \`${explicit}\`: expected this machine's IPv4 address on the LAN.`, {exit: 2});
    return explicit;
  }
  for (const list of Object.values(interfaces)) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  throw new UserError('No LAN address: this machine has no IPv4 address besides loopback.', {
    hint: 'Connect to the network the phone is on, or give one with --address.',
  });
}
