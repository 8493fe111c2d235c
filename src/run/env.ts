import type {StatePaths} from '../state/home.js';
import {porticoCaFile} from '../domains/files.js';
import {nodeExtraCaCerts} from '../trust/node.js';

/**
 * The environment of one instance: the user's, plus the port to listen on (loopback only), the URL it
 * is served at, and NODE_EXTRA_CA_CERTS so that Node code in the dev server (SSR fetches, proxies to
 * other `.localhost` names) trusts portico's CAs (ca.pem, or with added domains the bundle of every CA). A bundle the user already set is kept: portico
 * writes it plus ca.pem into PORTICO_HOME, since Node reads only one file.
 */
export function instanceEnv(base: NodeJS.ProcessEnv, paths: StatePaths, port: number, url: string, index = 1): NodeJS.ProcessEnv {
  const {path: caFile} = nodeExtraCaCerts(base, porticoCaFile(paths), paths.home);
  // PORTICO_INSTANCE: 1, 2, … per instance, for a config that needs one directory each (Next.js 16's distDir).
  return {...base, PORT: String(port), HOST: '127.0.0.1', NODE_EXTRA_CA_CERTS: caFile, PORTICO_URL: url, PORTICO_INSTANCE: String(index)};
}
