import {createRequire} from 'node:module';
import type Forge from 'node-forge';

const require = createRequire(import.meta.url);
let loaded: typeof Forge | undefined;

/**
 * node-forge, loaded on first use. Only issuing a certificate needs it (a leaf on the first handshake
 * for a new name, a CA on first run); a daemon whose leaves are already on disk never loads it, which
 * keeps ~1.5 MB out of its idle RSS (README "Performance").
 */
export function nodeForge(): typeof Forge {
  loaded ??= require('node-forge') as typeof Forge;
  return loaded;
}
