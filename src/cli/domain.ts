import {readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../errors.js';
import {readStatus} from '../daemon/lifecycle.js';
import {peekRoutes} from '../daemon/store.js';
import {createDomainCA, deleteDomainCA, domainIssuers} from '../domains/store.js';
import {domainFiles, listDomains} from '../domains/files.js';
import {overlaps, parseSuffix} from '../domains/suffix.js';
import {domainOf} from '../routes/name.js';
import {routeKey} from '../routes/types.js';
import type {StatePaths} from '../state/home.js';
import {porticoCommand} from '../trust/hint.js';
import {formatResults, parseStores, runTrust} from '../trust/index.js';
import type {StoreResult} from '../trust/types.js';
import {count} from '../text.js';

export interface DomainOptions {
  paths: StatePaths;
  out: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** One added domain as `domain ls --json` and `domain add --json` print it. */
export interface DomainInfo {
  domain: string;
  /** Its CA certificate (public: for --cacert, a phone, a teammate's store). */
  ca: string;
  fingerprint256: string;
  /** What the CA's critical name constraints permit. */
  permits: string;
  /** Routes under it now. */
  routes: string[];
}

/** `portico domain add <suffix>`: make the suffix's own constrained CA (idempotent). */
export async function addDomainCommand(options: DomainOptions & {suffix: string}): Promise<DomainInfo & {created: boolean}> {
  const suffix = parseSuffix(options.suffix);
  const clash = listDomains(options.paths.home).find((d) => d !== suffix && overlaps(d, suffix));
  if (clash) {
    throw new UserError(`Invalid domain \`${options.suffix}\`: it overlaps \`${clash}\`, already added; each name must have exactly one CA.`, {
      exit: 2,
      hint: `Use \`${clash}\` as it is, or \`${porticoCommand(options.env)} domain rm ${clash}\` first.`,
    });
  }
  const {created} = await createDomainCA(options.paths, suffix);
  const info = await describeDomain(options.paths, suffix);
  const cmd = porticoCommand(options.env);
  options.out(created ? `Added ${suffix}: names under it get certificates from its own CA (${info.ca}).` : `${suffix} is already added (${info.ca}).`);
  options.out(`  That CA can sign only ${info.permits}: no other name, no IP address.`);
  options.out(`  Next: \`${cmd} add app.${suffix} 5173\`, then \`${cmd} trust\`; if ${suffix} does not point at 127.0.0.1 in DNS, \`sudo ${cmd} hosts sync\`.`);
  return {...info, created};
}

/** `portico domain rm <suffix>`: untrust that CA from every store, then delete it. Refused while routes use it. */
export async function removeDomainCommand(options: DomainOptions & {suffix: string}): Promise<{domain: string; removed: boolean; stores: StoreResult[]}> {
  const suffix = options.suffix
    .trim()
    .toLowerCase()
    .replace(/^\.|\.$/g, '');
  if (!listDomains(options.paths.home).includes(suffix)) {
    throw new UserError(`No domain \`${options.suffix}\` to remove.`, {
      exit: 2,
      hint: `See the added domains with \`${porticoCommand(options.env)} domain ls\`.`,
    });
  }
  const using = await routesUnder(options.paths, suffix);
  if (using.length > 0) {
    throw new UserError(
      `Domain \`${suffix}\` still has ${using.length === 1 ? 'a route' : 'routes'}: ${using.join(', ')}; remove them first so nothing is left without a certificate.`,
      {
        hint: `\`${porticoCommand(options.env)} rm ${using[0]}\`${using.length > 1 ? ' (and the others)' : ''}, then \`domain rm ${suffix}\` again.`,
      },
    );
  }
  const env = options.env ?? process.env;
  const {results} = await runTrust({paths: options.paths, action: 'uninstall', selection: parseStores(undefined, env), env, domain: suffix});
  options.out(formatResults(results));
  // A store still holding the CA (the system store needs root) keeps it: deleted, it could never be untrusted by portico again.
  const left = results.filter((r) => !r.ok && !r.skipped);
  if (left.length > 0) {
    throw new UserError(`Kept the CA for \`${suffix}\`: ${left.map((r) => r.store).join(', ')} still trust it.`, {
      hint: left[0]!.fix ?? `Run \`sudo ${porticoCommand(env)} domain rm ${suffix}\`.`,
    });
  }
  deleteDomainCA(options.paths.home, suffix);
  removeCachedLeaves(options.paths.certsDir, suffix);
  options.out(`Removed ${suffix} and its CA.`);
  return {domain: suffix, removed: true, stores: results};
}

/** `portico domain ls`: every added domain, its CA and what it may sign. */
export async function listDomainsCommand(options: DomainOptions): Promise<{domains: DomainInfo[]}> {
  const domains = await Promise.all(listDomains(options.paths.home).map((d) => describeDomain(options.paths, d)));
  if (domains.length === 0)
    options.out(`No domains added: names under .localhost only. Add one with \`${porticoCommand(options.env)} domain add dev.example.com\`.`);
  for (const d of domains) options.out(`${d.domain}  CA ${d.ca}  permits ${d.permits}  ${count(d.routes.length, 'route')}`);
  return {domains};
}

async function describeDomain(paths: StatePaths, suffix: string): Promise<DomainInfo> {
  const ca = domainIssuers(paths.home)(suffix);
  if (!ca) throw new UserError(`The CA for \`${suffix}\` in \`${domainFiles(paths.home, suffix).dir}\` cannot be read.`);
  return {
    domain: suffix,
    ca: ca.certPath,
    fingerprint256: ca.fingerprint256,
    permits: `DNS ${suffix} and names under it`,
    routes: await routesUnder(paths, suffix),
  };
}

/** Route keys whose host is under `suffix`: the daemon's when it runs, else routes.json. */
async function routesUnder(paths: StatePaths, suffix: string): Promise<string[]> {
  const routes = (await readStatus(paths).catch(() => undefined))?.routes ?? peekRoutes(paths).routes;
  return [...new Set(routes.filter((r) => domainOf(r.host, [suffix]) !== undefined).map((r) => routeKey(r)))].sort();
}

/** Leaves of the deleted CA would never be served again (the provider checks the issuer); remove them. */
function removeCachedLeaves(certsDir: string, suffix: string): void {
  let files: string[];
  try {
    files = readdirSync(certsDir);
  } catch {
    return;
  }
  for (const file of files) {
    const host = file.replace(/\.pem$/, '');
    if (file.endsWith('.pem') && domainOf(host, [suffix]) !== undefined) rmSync(path.join(certsDir, file), {force: true});
  }
}
