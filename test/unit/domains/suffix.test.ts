import {describe, expect, it} from 'vitest';
import {overlaps, parseSuffix} from '../../../src/domains/suffix.js';
import {mapHost} from '../../../src/export/mapping.js';
import {domainOf, normalizeHost} from '../../../src/routes/name.js';
import {parseRouteSpec} from '../../../src/routes/parse.js';

function refusal(input: string): {message: string; exit: number} {
  try {
    parseSuffix(input);
  } catch (error) {
    return {message: (error as Error).message, exit: (error as {exit: number}).exit};
  }
  throw new Error(`${input} was accepted`);
}

describe('which suffixes `domain add` accepts', () => {
  it('accepts names the user controls and reserved special-use names, folded to lower-case ASCII', () => {
    expect(parseSuffix('dev.example.com')).toBe('dev.example.com');
    expect(parseSuffix('Dev.Example.TEST.')).toBe('dev.example.test');
    expect(parseSuffix('.test')).toBe('test');
    expect(parseSuffix('example')).toBe('example');
    expect(parseSuffix('internal')).toBe('internal');
    expect(parseSuffix('home.arpa')).toBe('home.arpa');
    expect(parseSuffix('team.home.arpa')).toBe('team.home.arpa');
    expect(parseSuffix('example.com')).toBe('example.com');
    expect(parseSuffix('me.github.io')).toBe('me.github.io');
    expect(parseSuffix('bücher.example.com')).toBe('xn--bcher-kva.example.com');
  });

  it('refuses public suffixes from the Public Suffix List, ICANN and private sections alike', () => {
    for (const suffix of ['com', 'co.uk', 'github.io', 'in-addr.arpa', 'dev']) {
      const r = refusal(suffix);
      expect(r.message).toBe(`Invalid domain \`${suffix}\`: it is a public suffix: a CA for it could sign certificates for other people's sites.`);
      expect(r.exit).toBe(2);
    }
  });

  it('refuses single labels that are not reserved, localhost, .local, .invalid, wildcards, IP addresses and non-names, each with one sentence and exit 2', () => {
    const cases: Array<[string, RegExp]> = [
      ['lan', /a single label other than `test`, `example`, `internal` may become a public top-level domain\./],
      ['localhost', /already served by the localhost CA/],
      ['app.localhost', /already served by the localhost CA/],
      ['local', /`\.local` names belong to mDNS/],
      ['printer.local', /`\.local` names belong to mDNS/],
      ['x.invalid', /never resolve/],
      ['*.dev.example.com', /give the suffix itself/],
      ['10.0.0.1', /an IP address is not a domain suffix/],
      ['::1', /an IP address is not a domain suffix/],
      ['https://dev.example.com', /expected a DNS name/],
      ['dev.example.com:443', /expected a DNS name/],
      ['-bad.example.com', /expected a DNS name/],
      ['', /expected a DNS name/],
    ];
    for (const [input, message] of cases) {
      const r = refusal(input);
      expect(r.message, input).toMatch(message);
      expect(r.message.split('. ').length, input).toBeLessThanOrEqual(2);
      expect(r.exit, input).toBe(2);
    }
  });

  it('sees two suffixes overlap when one is the other or under it', () => {
    expect(overlaps('test', 'dev.example.test')).toBe(true);
    expect(overlaps('dev.example.test', 'dev.example.test')).toBe(true);
    expect(overlaps('example.test', 'myexample.test')).toBe(false);
  });
});

describe('names under an added domain', () => {
  it('are accepted by routes, portico.json and run only once the domain is added', () => {
    expect(() => normalizeHost('app.dev.example.test')).toThrow(/portico serves only `localhost` and names under `\.localhost`\./);
    expect(normalizeHost('App.Dev.Example.Test', ['dev.example.test'])).toBe('app.dev.example.test');
    expect(normalizeHost('dev.example.test', ['dev.example.test'])).toBe('dev.example.test');
    expect(parseRouteSpec('app.dev.example.test/api', ['dev.example.test'])).toEqual({host: 'app.dev.example.test', path: '/api'});
    expect(() => normalizeHost('app.xdev.example.test', ['dev.example.test'])).toThrow(/names under `\.dev\.example\.test`/);
    expect(normalizeHost('app.localhost', ['dev.example.test'])).toBe('app.localhost');
  });

  it('belong to the longest added suffix they end with, on a label boundary', () => {
    expect(domainOf('a.b.example.test', ['example.test', 'b.example.test'])).toBe('b.example.test');
    expect(domainOf('ab.example.test', ['b.example.test'])).toBeUndefined();
  });

  it('map to the production domain on export like .localhost names do', () => {
    expect(mapHost('app.dev.example.test', 'example.com', ['dev.example.test'])).toBe('app.example.com');
    expect(mapHost('dev.example.test', 'example.com', ['dev.example.test'])).toBe('example.com');
    expect(mapHost('app.dev.example.test', undefined, ['dev.example.test'])).toBe('app.dev.example.test');
  });
});
