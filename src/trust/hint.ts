import {X509Certificate} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {basename} from 'node:path';
import {domainFiles, listDomains} from '../domains/files.js';
import type {StatePaths} from '../state/home.js';
import {readMarker} from './marker.js';

export interface HintOptions {
  /** Default process.platform. */
  platform?: NodeJS.Platform;
  /** Default process.env: decides whether the command to suggest is `npx portico` or `portico`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The form the user invoked: `proxy` when started by that name (package.json bin has both), else
 * `portico`; under npx/npm exec with `npx` before it (the bin is then seldom on PATH).
 */
export function porticoCommand(env: NodeJS.ProcessEnv = process.env, script: string | undefined = process.argv[1]): string {
  const name = script !== undefined && basename(script) === 'proxy' ? 'proxy' : 'portico';
  return env.npm_command === 'exec' ? `npx ${name}` : name;
}

/**
 * Rewrite the `portico …` commands quoted in a hint or message (in backticks, also after `sudo `,
 * `&& ` or `; ` inside them) into the form the user invoked, so advice is pasteable as printed.
 * Hints are written once in the `portico` form wherever they are made (the daemon included) and
 * spoken here, where they are printed.
 */
export function speakAs(text: string, command: string = porticoCommand()): string {
  if (command === 'portico') return text;
  return text.replace(/`[^`\n]*`/g, (quoted) => quoted.replace(/(`|`sudo |&& |; |\| )portico(?=[ `])/g, (_, lead: string) => `${lead}${command}`));
}

/**
 * The one line `add`, `up` and `run` print while no browser store here trusts the portico CA, else
 * undefined. Fast by design (runs on every `add`): one small file read and a fingerprint, no
 * certutil. The verdict is the marker `portico trust` writes (trust.json, for this CA);
 * `trust --check` and `doctor` do the real, slower verification.
 */
export function trustHint(paths: StatePaths, options: HintOptions = {}): string | undefined {
  const platform = options.platform ?? process.platform;
  const fix = `run \`${porticoCommand(options.env)} trust\` so browsers open these https URLs without a certificate warning.`;
  if (!browsersTrust(paths.caCert, paths.home, platform)) return `! The portico CA is not trusted yet: ${fix}`;
  // Every CA portico made counts: an added domain's CA is trusted by the same `portico trust`.
  const untrusted = listDomains(paths.home).filter((d) => {
    const files = domainFiles(paths.home, d);
    return !browsersTrust(files.cert, files.dir, platform);
  });
  if (untrusted.length === 0) return undefined;
  return `! The portico CA for ${untrusted.map((d) => `\`${d}\``).join(', ')} is not trusted yet: ${fix}`;
}

/** Whether trust.json beside a CA says browsers here trust it (Chromium and Firefox on Linux read NSS only; elsewhere the system store). */
function browsersTrust(caCert: string, markerDir: string, platform: NodeJS.Platform): boolean {
  let fingerprint: string;
  try {
    fingerprint = new X509Certificate(readFileSync(caCert)).fingerprint256;
  } catch {
    return false;
  }
  const stores = readMarker(markerDir, fingerprint)?.stores ?? [];
  return stores.includes('nss') || (platform !== 'linux' && stores.includes('system'));
}

/** Print the trust hint, if any, through `write` (stderr by default: stdout may be JSON). */
export function noteTrust(paths: StatePaths, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  const hint = trustHint(paths);
  if (hint) write(hint);
}
