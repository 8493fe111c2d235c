import {lookup} from 'node:dns/promises';

/** The addresses the system resolver gives `host` (hosts file, then DNS), or [] when it does not resolve in time. */
export async function resolveAddresses(host: string, timeoutMs = 1000): Promise<string[]> {
  const answer = lookup(host, {all: true}).then(
    (addresses) => addresses.map((a) => a.address),
    () => [],
  );
  const timeout = new Promise<string[]>((resolve) => setTimeout(resolve, timeoutMs, []).unref());
  return Promise.race([answer, timeout]);
}

export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

/** True when the system resolver maps `host` to loopback only (what Node, Python and curl-less tools see). */
export async function resolvesToLoopback(host: string, timeoutMs = 1000): Promise<boolean> {
  const addresses = await resolveAddresses(host, timeoutMs);
  return addresses.length > 0 && addresses.every(isLoopbackAddress);
}
