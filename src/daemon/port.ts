import {UserError} from '../errors.js';
import type {RunningProxy} from '../proxy/index.js';

export const DEFAULT_PORT = 443;
export const FALLBACK_PORT = 1443;

/**
 * Which port to serve on when none was asked for (README "Ports"): the port portico last ran on, so
 * open URLs keep working; else 443; else 1443; else any free port. Every step down is said loudly,
 * with the URL to open and what would give the earlier choice back.
 */
export async function listenOnDefault(start: (port: number) => Promise<RunningProxy>, last: number | undefined, notices: string[]): Promise<RunningProxy> {
  // The fallback 1443 is not a choice to keep: the next start tries 443 again (setcap may have been run since).
  const wanted = last !== undefined && last !== FALLBACK_PORT ? [last] : [];
  const candidates = [...new Set([...wanted, DEFAULT_PORT, FALLBACK_PORT]), 0];
  const refused: Array<{port: number; why: string}> = [];
  for (const port of candidates) {
    try {
      const proxy = await start(port);
      if (refused.length > 0) notices.push(fallbackNotice(proxy.port, refused));
      return proxy;
    } catch (error) {
      if (!(error instanceof UserError) || port === 0) throw error;
      refused.push({port, why: /in use/.test(error.message) ? 'is in use by another program' : 'may not be bound by this user'});
    }
  }
  throw new Error('unreachable: port 0 either binds or throws');
}

function fallbackNotice(port: number, refused: ReadonlyArray<{port: number; why: string}>): string {
  const only443 = refused.length === 1 && refused[0]!.port === DEFAULT_PORT;
  if (only443) {
    const inUse = /in use/.test(refused[0]!.why);
    const how = inUse
      ? 'For 443, stop the program that holds it, then `portico down && portico up`.'
      : "For 443: `sudo setcap 'cap_net_bind_service=+ep' $(command -v node)` or `sudo sysctl net.ipv4.ip_unprivileged_port_start=443` (or `sudo portico up`), then `portico down && portico up`.";
    return `portico is serving on port ${port} because ${inUse ? 'port 443 is in use by another program' : 'this user may not bind port 443'}: open https://<name>.localhost:${port}/ (e.g. https://app.localhost:${port}/). ${how}`;
  }
  const reasons = refused.map((r) => `port ${r.port} ${r.why}`).join(', ');
  return `portico is serving on port ${port} because ${reasons}: open https://<name>.localhost:${port}/ (e.g. https://app.localhost:${port}/). portico starts on ${port} again next time; \`portico up --port N\` picks another.`;
}
