import {domainToASCII} from 'node:url';
import {InputError} from '../errors.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Validate and normalise a hostname that portico may serve: `localhost`, a name under `.localhost`
 * (RFC 6761: always loopback, so no DNS or hosts file is needed by most browsers), or a name under
 * one of `domains`, the suffixes added with `portico domain add` (README "Your own dev domains").
 * Upper case is folded, IDN goes to punycode, a trailing dot is dropped.
 */
export function normalizeHost(input: string, domains: readonly string[] = []): string {
  const ascii = hostSyntax(input);
  if (isLocalhostName(ascii) || domainOf(ascii, domains) !== undefined) return ascii;
  const added =
    domains.length > 0 ? `, names under \`.localhost\` and names under ${domains.map((d) => `\`.${d}\``).join(', ')}` : ' and names under `.localhost`';
  throw new InputError(`Invalid name \`${input}\`: portico serves only \`localhost\`${added}.`, {
    hint: `Try \`${ascii.split('.')[0] || 'app'}.localhost\`: names under .localhost always point at this machine. For your own domain, \`portico domain add <suffix>\` first.`,
  });
}

/** The syntax half of normalizeHost: a valid DNS name, folded to lower-case ASCII, whatever its suffix. */
export function hostSyntax(input: string): string {
  const raw = input.trim();
  if (raw === '') throw new InputError('Invalid name ``: expected a name like `app.localhost`.');
  const ascii = domainToASCII(raw.replace(/\.$/, '').toLowerCase());
  if (ascii === '') throw new InputError(`Invalid name \`${input}\`: it is not a valid hostname.`);
  if (ascii.length > 253) throw new InputError(`Invalid name \`${input}\`: longer than 253 characters.`);
  for (const label of ascii.split('.')) {
    if (!LABEL.test(label)) {
      throw new InputError(`Invalid name \`${input}\`: label \`${label}\` must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen.`);
    }
  }
  return ascii;
}

/** `localhost` or a name under it: the default CA's names. */
export function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/** The added suffix `host` is (or is under), the longest one, or undefined. */
export function domainOf(host: string, domains: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const d of domains) if ((host === d || host.endsWith(`.${d}`)) && d.length > (best?.length ?? -1)) best = d;
  return best;
}

/** Turn any string (a package name, a directory) into a valid DNS label, or undefined if nothing is left. */
export function toLabel(input: string): string | undefined {
  const spaced = input
    .toLowerCase()
    .replace(/^@[^/]*\//, '')
    .replace(/[^a-z0-9\u0080-\uffff]+/g, '-');
  const label = (domainToASCII(spaced) || spaced)
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? undefined : label;
}
