import {describe, expect, it} from 'vitest';
import {queryToken, tokenCookieName, withoutToken} from '../../../src/frontdoor/auth.js';
import {hashPassword, hashToken, newToken, parsePasswordHash, verifyPassword, verifyToken} from '../../../src/frontdoor/auth-secret.js';
import {auth} from '../../../src/routes/features/auth.js';
import {mergeRouteOptions} from '../../../src/routes/options-data.js';

describe('the access gate secrets', () => {
  it('hashes a password with scrypt and a fresh salt each time, and verifies only that password', async () => {
    const [a, b] = [await hashPassword('correct horse'), await hashPassword('correct horse')];
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('correct horse', 'plain')).toBe(false);
  });

  it('refuses a hand-edited hash whose cost would make every check expensive', () => {
    expect(parsePasswordHash(`scrypt$${2 ** 24}$8$1$${'A'.repeat(22)}$${'A'.repeat(43)}`)).toBeUndefined();
  });

  it('makes 256-bit tokens and keeps only their SHA-256', () => {
    const token = newToken();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(hashToken(token)).not.toContain(token);
    expect(verifyToken(token, hashToken(token))).toBe(true);
    expect(verifyToken(newToken(), hashToken(token))).toBe(false);
  });
});

describe('the token in a URL', () => {
  it('is found and removed with every other parameter kept as sent', () => {
    expect(queryToken('/a?x=1&portico_token=abc&y=%20')).toBe('abc');
    expect(queryToken('/a?x=1')).toBeUndefined();
    expect(withoutToken('/a?x=1&portico_token=abc&y=%20')).toBe('/a?x=1&y=%20');
    expect(withoutToken('/a?portico_token=abc')).toBe('/a');
  });

  it('names one cookie per route', () => {
    expect(tokenCookieName('preview.localhost')).toMatch(/^portico_auth_[0-9a-f]{8}$/);
    expect(tokenCookieName('preview.localhost')).not.toBe(tokenCookieName('preview.localhost/x'));
  });
});

describe('--auth as an option', () => {
  it('reads basic:USER, token and off, and refuses the rest naming the value', () => {
    expect(auth.fromFlags({auth: 'basic:admin'})).toEqual({kind: 'basic', user: 'admin', hash: ''});
    expect(auth.fromFlags({auth: 'token'})).toEqual({kind: 'token', hash: ''});
    expect(auth.fromFlags({auth: 'off'})).toBeNull();
    expect(() => auth.fromFlags({auth: 'basic:'})).toThrow('Invalid --auth `basic:`');
  });

  it('stores nothing unfinished: a gate without its hash is refused, and the error does not echo a hash', () => {
    expect(() => auth.check({kind: 'basic', user: 'admin', hash: ''})).toThrow('options.auth is {"kind":"basic"}');
    expect(() => auth.check({kind: 'token', hash: 'short'})).toThrow('options.auth is {"kind":"token"}');
  });

  it('is removed by off when merged over a route', () => {
    expect(mergeRouteOptions({auth: {kind: 'token', hash: 'x'.repeat(43)}, compress: true}, {auth: null})).toEqual({compress: true});
    expect(mergeRouteOptions({auth: {kind: 'token', hash: 'x'.repeat(43)}}, {auth: null})).toBeUndefined();
  });
});
