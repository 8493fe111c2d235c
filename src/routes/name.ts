import {domainToASCII} from 'node:url';
import {InputError} from '../errors.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Validate and normalise a hostname that portico may serve: `localhost` or a name under `.localhost`
 * (RFC 6761: always loopback, so no DNS or hosts file is needed by most browsers).
 * Upper case is folded, IDN goes to punycode, a trailing dot is dropped.
 */
export function normalizeHost(input: string): string {
  const raw = input.trim();
  if (raw === '') throw new InputError('Invalid name ``: expected a name like `app.localhost`.');
  const ascii = domainToASCII(raw.replace(/\.$/, '').toLowerCase());
  if (ascii === '') throw new InputError(`Invalid name \`${input}\`: it is not a valid hostname.`);
  if (ascii !== 'localhost' && !ascii.endsWith('.localhost')) {
    throw new InputError(`Invalid name \`${input}\`: portico serves only \`localhost\` and names under \`.localhost\`.`, {
      hint: `Try \`${ascii.split('.')[0] || 'app'}.localhost\`: names under .localhost always point at this machine.`,
    });
  }
  if (ascii.length > 253) throw new InputError(`Invalid name \`${input}\`: longer than 253 characters.`);
  for (const label of ascii.split('.')) {
    if (!LABEL.test(label)) {
      throw new InputError(`Invalid name \`${input}\`: label \`${label}\` must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen.`);
    }
  }
  return ascii;
}

/** Turn any string (a package name, a directory) into a valid DNS label, or undefined if nothing is left. */
export function toLabel(input: string): string | undefined {
  const spaced = input.toLowerCase().replace(/^@[^/]*\//, '').replace(/[^a-z0-9\u0080-\uffff]+/g, '-');
  const label = (domainToASCII(spaced) || spaced)
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? undefined : label;
}
