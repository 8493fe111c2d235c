import {createHash} from 'node:crypto';
import {domainToASCII} from 'node:url';

/** A DNS label holds at most 63 octets (RFC 1035 §2.3.4). */
const MAX_LABEL = 63;

/**
 * The copy's name from its branch (or directory): a valid DNS label whatever the branch is called,
 * the same every time for the same branch (README "Copies of an app"). Slashes, dots, underscores and
 * spaces become hyphens, capitals fold, accents are dropped (`café` -> `cafe`), other scripts go to
 * punycode (`修复` -> `xn--...`); a name longer than 63 octets is cut and ends in a hash of the whole
 * branch, so two long branches that share a beginning still get two names.
 */
export function copyLabel(source: string): string {
  const folded = source
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  const hyphened = folded.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
  const ascii = /^[a-z0-9-]*$/.test(hyphened) ? hyphened : domainToASCII(hyphened) || hyphened.replace(/[^a-z0-9-]+/g, '-');
  // RFC 5891 §4.2.3.1: `ab--` at positions 3-4 is reserved for IDN prefixes such as `xn--`.
  let label = ascii.startsWith('xn--') ? ascii : ascii.replace(/-{2,}/g, '-');
  label = label.replace(/^-+|-+$/g, '');
  if (label === '') label = `copy-${hash(source)}`;
  if (label.length <= MAX_LABEL) return label;
  // A cut punycode label would no longer decode: keep its ASCII letters without the IDN prefix.
  if (label.startsWith('xn--')) label = label.slice(4).replace(/-{2,}/g, '-').replace(/^-+/, '');
  const suffix = `-${hash(source)}`;
  return `${label.slice(0, MAX_LABEL - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** The label made distinct with a hash of `seed` (a second clone on the same branch: its directory). */
export function distinctLabel(label: string, seed: string): string {
  const suffix = `-${hash(seed)}`;
  return `${label.slice(0, MAX_LABEL - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** Six hex digits of the source's SHA-256: short, and stable across restarts and machines. */
function hash(source: string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 6);
}
