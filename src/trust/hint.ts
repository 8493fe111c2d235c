import {X509Certificate} from 'node:crypto';
import {readFileSync} from 'node:fs';
import type {StatePaths} from '../state/home.js';
import {readMarker} from './marker.js';

export interface HintOptions {
  /** Default process.platform. */
  platform?: NodeJS.Platform;
  /** Default process.env: decides whether the command to suggest is `npx portico` or `portico`. */
  env?: NodeJS.ProcessEnv;
}

/** `npx portico` when this process runs under npx/npm exec (portico is then seldom on PATH). */
export function porticoCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_command === 'exec' ? 'npx portico' : 'portico';
}

/**
 * The one line `add`, `up` and `run` print while no browser store here trusts the portico CA, else
 * undefined. Fast by design (runs on every `add`): one small file read and a fingerprint, no
 * certutil. The verdict is the marker `portico trust` writes (trust.json, for this CA);
 * `trust --check` and `doctor` do the real, slower verification.
 */
export function trustHint(paths: StatePaths, options: HintOptions = {}): string | undefined {
  let fingerprint: string;
  try {
    fingerprint = new X509Certificate(readFileSync(paths.caCert)).fingerprint256;
  } catch {
    fingerprint = '';
  }
  const stores = (fingerprint && readMarker(paths.home, fingerprint)?.stores) || [];
  // Chromium and Firefox on Linux read NSS only; on macOS and Windows browsers read the system store.
  const platform = options.platform ?? process.platform;
  if (stores.includes('nss') || (platform !== 'linux' && stores.includes('system'))) return undefined;
  return `! The portico CA is not trusted yet: run \`${porticoCommand(options.env)} trust\` so browsers open these https URLs without a certificate warning.`;
}

/** Print the trust hint, if any, through `write` (stderr by default: stdout may be JSON). */
export function noteTrust(paths: StatePaths, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  const hint = trustHint(paths);
  if (hint) write(hint);
}
