import {InputError} from '../errors.js';

/**
 * The `deploy` section of portico.json: what `portico export` maps local names and ports to.
 *
 *   "deploy": {"domain": "example.com",
 *              "backends": {"app.localhost/api": "http://api:8080", "9090": ["http://a:80", "http://b:80"]}}
 */
export interface DeployConfig {
  /** Public domain replacing `.localhost`. */
  domain?: string;
  /** Route (`host[/path]`) or local target (`9090`, `localhost:9090`) -> production backend URLs. */
  backends?: Record<string, string[]>;
}

/** Shape check only; `portico export` validates names and URLs when it uses them. */
export function parseDeployConfig(value: unknown): DeployConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('`deploy` must be an object with `domain` and/or `backends`.');
  const {domain, backends, ...rest} = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new InputError(`unknown key \`deploy.${unknown}\` (expected domain, backends).`);
  if (domain !== undefined && typeof domain !== 'string') throw new InputError(`\`deploy.domain\` must be a string, got ${JSON.stringify(domain)}.`);
  const out: DeployConfig = domain === undefined ? {} : {domain};
  if (backends === undefined) return out;
  if (typeof backends !== 'object' || backends === null || Array.isArray(backends))
    throw new InputError('`deploy.backends` must map a route or local port to a URL or a list of URLs.');
  out.backends = {};
  for (const [key, urls] of Object.entries(backends)) {
    const list = Array.isArray(urls) ? urls : [urls];
    if (list.length === 0 || !list.every((u): u is string => typeof u === 'string')) {
      throw new InputError(`\`deploy.backends["${key}"]\` must be a URL string or a non-empty list of them, got ${JSON.stringify(urls)}.`);
    }
    out.backends[key] = list;
  }
  return out;
}
