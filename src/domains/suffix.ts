import {isIP} from 'node:net';
import {domainToASCII} from 'node:url';
import {parse} from 'tldts';
import {UserError} from '../errors.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Special-use names (RFC 6761, RFC 8375, ICANN's `.internal`) that no one can register: a suffix
 * portico may constrain a CA to even though it is a single label or on the Public Suffix List.
 */
export const RESERVED_SUFFIXES: readonly string[] = ['test', 'example', 'internal', 'home.arpa'];

/**
 * Validate a suffix for `portico domain add`: a DNS name portico can limit a CA to with a name
 * constraint, and one that is the user's to use. Refused, each with one sentence: wildcards and IP
 * addresses, `localhost` (its own CA), `.local` (mDNS), `.invalid`, public suffixes from the Public
 * Suffix List (`com`, `co.uk`, `github.io`: a CA for one would cover other people's sites) and
 * other single labels. Returns the suffix in lower-case ASCII, without leading or trailing dots.
 */
export function parseSuffix(input: string): string {
  const fail = (why: string, hint?: string): never => {
    throw new UserError(`Invalid domain \`${input}\`: ${why}`, {exit: 2, ...(hint ? {hint} : {})});
  };
  const trimmed = input.trim().replace(/^\./, '').replace(/\.$/, '');
  if (trimmed.includes('*')) fail('give the suffix itself (`dev.example.com`, not `*.dev.example.com`): every name under it is covered.');
  if (isIP(trimmed.replace(/^\[|\]$/g, '')) !== 0) fail('an IP address is not a domain suffix; portico constrains this CA to names only.');
  const ascii = trimmed === '' ? '' : domainToASCII(trimmed.toLowerCase());
  const labels = ascii.split('.');
  if (ascii === '' || ascii.length > 240 || !labels.every((label) => LABEL.test(label))) {
    fail('expected a DNS name like `dev.example.com` or `test` (letters, digits, hyphens and dots, no scheme, port or path).');
  }
  if (ascii === 'localhost' || ascii.endsWith('.localhost')) fail('names under `.localhost` are already served by the localhost CA; nothing to add.');
  if (ascii === 'local' || ascii.endsWith('.local'))
    fail('`.local` names belong to mDNS on the local network; use `portico lan on` for phones, or a suffix such as `test`.');
  if (ascii === 'invalid' || ascii.endsWith('.invalid')) fail('names under `.invalid` never resolve (RFC 6761).');
  if (RESERVED_SUFFIXES.some((r) => ascii === r || ascii.endsWith(`.${r}`))) return ascii;
  const parsed = parse(ascii, {allowPrivateDomains: true});
  if ((parsed.isIcann || parsed.isPrivate) && parsed.domain === null) {
    fail(
      "it is a public suffix: a CA for it could sign certificates for other people's sites.",
      'Add a name you control under it, such as `dev.example.com`, or a reserved suffix such as `test`.',
    );
  }
  if (labels.length === 1)
    fail(
      `a single label other than ${RESERVED_SUFFIXES.filter((r) => !r.includes('.'))
        .map((r) => `\`${r}\``)
        .join(', ')} may become a public top-level domain.`,
      'Use a name you control, such as `dev.example.com`, or `test`.',
    );
  return ascii;
}

/** Whether two suffixes overlap (one is the other or under it): their CAs would both cover some names. */
export function overlaps(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}
