import {X509Certificate} from 'node:crypto';
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {tcpConnect} from '../transport/probe.js';
import type {Check} from './doctor-check.js';
import {targetChecks, type RouteToCheck} from './doctor-targets.js';
import {readStatus} from '../daemon/lifecycle.js';
import {peekRoutes} from '../daemon/store.js';
import {resolveAddresses} from '../hosts/resolve.js';
import {isLocalhostName} from '../routes/name.js';
import {domainChecks, issuerFileOf, nameCheck} from './doctor-domains.js';
import {lanCheck} from './doctor-lan.js';
import type {StatePaths} from '../state/home.js';
import {runTrust, type StoreSelection} from '../trust/index.js';

export interface DoctorOptions {
  paths: StatePaths;
  /** Trust stores to check; the defaults of `trust --check` unless --stores. */
  selection: StoreSelection;
  now?: () => number;
}

const DAY = 86400_000;

/** Every check a developer needs when a browser still complains; one line each, with a fix. */
export async function runDoctor(options: DoctorOptions): Promise<Check[]> {
  const {paths} = options;
  const now = (options.now ?? Date.now)();
  const checks: Check[] = [];
  const status = await readStatus(paths).catch(() => undefined);
  checks.push(
    status
      ? {name: 'daemon', ok: true, detail: `running, pid ${status.pid}, version ${status.version}`}
      : {name: 'daemon', ok: false, detail: 'not running', fix: 'Start it: `portico up`.'},
  );
  if (status) {
    const bound = (await tcpConnect('127.0.0.1', status.port, 1000)) === undefined;
    checks.push(
      bound
        ? {name: 'port', ok: true, detail: `${status.port} accepts connections on 127.0.0.1`}
        : {name: 'port', ok: false, detail: `${status.port} does not accept connections`, fix: 'Restart: `portico down && portico up`.'},
    );
    for (const notice of status.notices) checks.push({name: 'notice', ok: true, warn: true, detail: notice});
  }
  const peeked = status ? undefined : peekRoutes(paths);
  if (peeked?.problem)
    checks.push({
      name: 'routes',
      ok: false,
      detail: peeked.problem,
      fix: 'Fix the file, or run `portico up`: it moves an unreadable routes.json aside and starts with no routes.',
    });
  const routes: RouteToCheck[] = status
    ? status.routes.map((r) => ({...r, targets: r.targets.map((t) => ({url: t.target, owner: t.owner}))}))
    : (peeked?.routes ?? []).map(({copy: _copy, ...r}) => r);
  checks.push(...(await targetChecks(routes)));
  const hosts = [...new Set(routes.map((r) => r.host))];
  for (const host of hosts) checks.push(nameCheck(host, await resolveAddresses(host)));
  checks.push(...domainChecks(paths, now));
  checks.push(lanCheck(paths.home));
  if (!existsSync(paths.caCert)) {
    checks.push({name: 'ca', ok: false, detail: `no CA in ${paths.home}`, fix: 'Run `portico trust` (it creates one).'});
  } else {
    try {
      const ca = new X509Certificate(readFileSync(paths.caCert));
      const days = Math.floor((Date.parse(ca.validTo) - now) / DAY);
      checks.push(
        days > 30
          ? {name: 'ca', ok: true, detail: `valid for ${days} more days`}
          : {
              name: 'ca',
              ok: false,
              detail: days < 0 ? 'expired' : `expires in ${days} days`,
              fix: `Move ca.pem and ca-key.pem out of ${paths.home}, then \`portico trust\` and \`portico down && portico up\`.`,
            },
      );
      // Clock sanity: a clock set before the CA was made makes every certificate look not yet valid.
      const ahead = Date.parse(ca.validFrom) - now;
      checks.push(
        ahead > DAY
          ? {
              name: 'clock',
              ok: false,
              detail: `the clock is behind: the CA was made ${Math.round(ahead / DAY)} days in the future`,
              fix: 'Set the system clock (e.g. enable NTP).',
            }
          : {name: 'clock', ok: true, detail: new Date(now).toISOString()},
      );
      checks.push(...leafChecks(paths, ca, now));
    } catch (error) {
      checks.push({
        name: 'ca',
        ok: false,
        detail: `ca.pem is unreadable: ${(error as Error).message}`,
        fix: `Restore it, or move ca.pem and ca-key.pem out of ${paths.home} and run \`portico trust\`.`,
      });
    }
    const {results} = await runTrust({paths, action: 'check', selection: options.selection});
    for (const r of results)
      checks.push({
        name: `trust ${r.store}`,
        ok: r.ok || !!r.skipped || !!r.advice,
        warn: !!r.skipped || !!r.advice,
        detail: r.message,
        fix: r.fix ?? (r.ok ? undefined : 'Run `portico trust` again; `portico trust --check` shows the details.'),
      });
  }
  return checks;
}

function leafChecks(paths: StatePaths, ca: X509Certificate, now: number): Check[] {
  let files: string[] = [];
  try {
    files = readdirSync(paths.certsDir).filter((f) => f.endsWith('.pem') && f !== 'leaf-key.pem');
  } catch {
    return [];
  }
  const stale: string[] = [];
  for (const file of files) {
    try {
      const leaf = new X509Certificate(readFileSync(path.join(paths.certsDir, file)));
      const host = file.replace(/\.pem$/, '');
      const issuer = isLocalhostName(host) ? ca : new X509Certificate(readFileSync(issuerFileOf(paths, host)));
      if (!leaf.checkIssued(issuer) || Date.parse(leaf.validTo) - now < 30 * DAY) stale.push(file.replace(/\.pem$/, ''));
    } catch {
      stale.push(file);
    }
  }
  return [
    stale.length === 0
      ? {name: 'leaves', ok: true, detail: `${files.length} cached, all valid`}
      : {name: 'leaves', ok: true, warn: true, detail: `${stale.length} will be reissued on next use: ${stale.join(', ')}`},
  ];
}
