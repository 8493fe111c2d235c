import {lookup} from 'node:dns/promises';

/** True when the system resolver maps `host` to loopback only (what Node, Python and curl-less tools see). */
export async function resolvesToLoopback(host: string, timeoutMs = 1000): Promise<boolean> {
  const answer = lookup(host, {all: true}).then(
    (addresses) => addresses.length > 0 && addresses.every((a) => a.address.startsWith('127.') || a.address === '::1'),
    () => false,
  );
  const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
  return Promise.race([answer, timeout]);
}
