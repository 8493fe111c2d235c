/**
 * Structured filters for the request log, shared by the dashboard and `portico logs`:
 *
 *   status:5xx  status:404  status:4xx,503   host:api   method:POST   path:/api   proto:h2   copy:fix-login   free text
 *
 * Terms combine (all must match). A bare status (`502`, `5xx`) means the status, so `502` no longer
 * matches a path that contains 502; anything else is free text over method, host, path, target and error.
 */
import type {RequestEvent} from './event.js';

export type FilterTerm =
  | {kind: 'status'; test: (status: number) => boolean}
  | {kind: 'host' | 'path' | 'text' | 'copy'; value: string}
  | {kind: 'method' | 'proto'; value: string};

export interface Filter {
  /** The text it was parsed from. */
  source: string;
  terms: FilterTerm[];
}

/** Thrown for a term that names a known field with a value it cannot have. */
export class FilterError extends Error {}

const STATUS_EXACT = /^[1-5]\d\d$/;
const STATUS_CLASS = /^[1-5]xx$/i;

/** `5xx`, `404`, or a comma list of those; undefined when the text is not a status. */
function statusTest(text: string): ((status: number) => boolean) | undefined {
  const parts = text.split(',');
  const tests: Array<(s: number) => boolean> = [];
  for (const part of parts) {
    if (STATUS_EXACT.test(part)) {
      const want = Number(part);
      tests.push((s) => s === want);
    } else if (STATUS_CLASS.test(part)) {
      const hundred = Number(part[0]) * 100;
      tests.push((s) => s >= hundred && s < hundred + 100);
    } else return undefined;
  }
  return (status) => tests.some((t) => t(status));
}

export function parseFilter(text: string): Filter {
  const terms: FilterTerm[] = [];
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const colon = word.indexOf(':');
    const key = colon > 0 ? word.slice(0, colon).toLowerCase() : '';
    const value = colon > 0 ? word.slice(colon + 1) : word;
    switch (key) {
      case 'status': {
        const test = statusTest(value);
        if (!test) throw new FilterError(`Invalid filter \`${word}\`: expected a status like 404, 5xx or 404,5xx.`);
        terms.push({kind: 'status', test});
        break;
      }
      case 'host':
      case 'path':
      case 'copy':
        terms.push({kind: key, value: value.toLowerCase()});
        break;
      case 'method':
      case 'proto':
        terms.push({kind: key, value: value.toUpperCase()});
        break;
      default: {
        const test = statusTest(word);
        terms.push(test ? {kind: 'status', test} : {kind: 'text', value: word.toLowerCase()});
      }
    }
  }
  return {source: text, terms};
}

function matchTerm(term: FilterTerm, e: RequestEvent): boolean {
  switch (term.kind) {
    case 'status':
      return term.test(e.status);
    case 'host':
      return e.host.toLowerCase().includes(term.value);
    case 'path': {
      const path = e.path.toLowerCase();
      // `path:/api` is a prefix; `path:users` anywhere in the path.
      return term.value.startsWith('/') ? path.startsWith(term.value) : path.includes(term.value);
    }
    case 'copy':
      // The copy of an app that served it (README "Copies of an app"), exactly.
      return e.notes?.includes(`copy: ${term.value}`) === true;
    case 'method':
      return e.method.toUpperCase() === term.value;
    case 'proto':
      return e.protocol.toUpperCase() === term.value;
    case 'text':
      return `${e.method} ${e.host}${e.path} ${e.target ?? ''} ${e.protocol} ${e.error ?? ''}`.toLowerCase().includes(term.value);
  }
}

export function matchFilter(filter: Filter, event: RequestEvent): boolean {
  for (const term of filter.terms) if (!matchTerm(term, event)) return false;
  return true;
}
