import {describe, expect, it} from 'vitest';
import {indexCopies} from '../../../src/routes/copies.js';
import {chooseCopy} from '../../../src/proxy/copy-switch.js';
import {cookiesForCopy, prefixSetCookie} from '../../../src/proxy/copy-cookies.js';
import {DEFAULT_COPY_SWITCH, type Route} from '../../../src/routes/types.js';

const route = (host: string, extra: Partial<Route>): Route => ({
  host,
  path: '/',
  targets: [{url: 'http://localhost:3000', owner: 1, dir: `/src/${host}`}],
  strategy: 'round-robin',
  stripPrefix: false,
  ...extra,
});
const group = indexCopies([
  route('shop.localhost', {copy: {name: 'main', branch: 'main'}}),
  route('fix-login.shop.localhost', {copy: {name: 'fix-login', of: 'shop.localhost'}}),
]).groups.get('shop.localhost')!;
const choose = (url: string, headers: Record<string, string> = {}, method = 'GET') => chooseCopy(method, url, headers, group, 1443);

describe('the stable host chooses a copy', () => {
  it('serves the default copy to a client that picks none', () => {
    expect(choose('/')).toMatchObject({member: {name: 'main'}, by: 'default'});
  });

  it('follows the header, then the cookie', () => {
    expect(choose('/', {'x-portico-copy': 'fix-login', cookie: 'portico-copy=main'})).toMatchObject({member: {name: 'fix-login'}, by: 'header'});
    expect(choose('/', {cookie: 'a=1; portico-copy=fix-login'})).toMatchObject({member: {name: 'fix-login'}, by: 'cookie'});
    expect(choose('/', {'x-portico-copy': 'fix-login.shop.localhost'})).toMatchObject({member: {name: 'fix-login'}});
  });

  it('sets the cookie from the link and redirects to a path on this host only', () => {
    expect(choose('/.portico/use/fix-login?to=/account')).toMatchObject({
      status: 303,
      headers: {location: '/account', 'set-cookie': 'portico-copy=fix-login; Path=/; Secure; HttpOnly; SameSite=Lax'},
    });
    expect(choose('/.portico/use/fix-login?to=//evil.example/')).toMatchObject({status: 303, headers: {location: '/'}});
    expect(choose('/.portico/use/fix-login?to=https://evil.example/')).toMatchObject({status: 303, headers: {location: '/'}});
  });

  it('takes the query parameter of a first GET: cookie, then the same URL without it', () => {
    expect(choose('/cart?portico-copy=fix-login&item=2')).toMatchObject({
      status: 303,
      headers: {location: '/cart?item=2', 'set-cookie': expect.stringContaining('portico-copy=fix-login')},
    });
    expect(choose('/cart?portico-copy=fix-login', {}, 'POST')).toMatchObject({member: {name: 'fix-login'}, by: 'query'});
  });

  it('answers an unknown copy with a 404 that lists the copies, never another copy', () => {
    for (const refusal of [
      choose('/', {'x-portico-copy': 'nope'}),
      choose('/', {cookie: 'portico-copy=nope'}),
      choose('/x?portico-copy=nope'),
      choose('/.portico/use/nope'),
    ]) {
      expect(refusal).toMatchObject({status: 404});
      const page = (refusal as {page: string}).page;
      expect(page).toContain('no copy named <code>nope</code>');
      expect(page).toContain('href="/.portico/use/fix-login"');
      expect(page).toContain('href="/.portico/use/main"');
      expect(page).toContain('href="https://fix-login.shop.localhost:1443/"');
    }
  });

  it('escapes a hostile copy name on the 404 page', () => {
    const page = (choose('/', {'x-portico-copy': '<script>x</script>'}) as {page: string}).page;
    expect(page).not.toContain('<script>x');
  });

  it('lists the copies at /.portico/copies', () => {
    expect(choose('/.portico/copies', {cookie: 'portico-copy=fix-login'})).toMatchObject({status: 200, page: expect.stringContaining('this browser')});
  });
});

describe('cookies of copies on the stable host are kept apart', () => {
  const first = {name: 'main', first: true, switch: DEFAULT_COPY_SWITCH};
  const fix = {name: 'fix-login', first: false, switch: DEFAULT_COPY_SWITCH};
  const jar = 'sid=A; pc~fix-login~sid=B; __Host-pc~fix-login~csrf=C; pc~other~sid=D; portico-copy=fix-login; portico_1a2b3c4d=i1';

  it('gives the first copy its own cookies under their names, without the others or the switch cookie', () => {
    expect(cookiesForCopy(jar, first)).toBe('sid=A; portico_1a2b3c4d=i1');
  });

  it('gives another copy only its prefixed cookies, un-prefixed', () => {
    expect(cookiesForCopy(jar, fix)).toBe('sid=B; __Host-csrf=C; portico_1a2b3c4d=i1');
    expect(cookiesForCopy('portico-copy=fix-login', fix)).toBeUndefined();
  });

  it('prefixes what another copy sets, keeping __Host- in front and portico sticky cookies as they are', () => {
    expect(prefixSetCookie('sid=B; Path=/; HttpOnly', 'fix-login')).toBe('pc~fix-login~sid=B; Path=/; HttpOnly');
    expect(prefixSetCookie('__Host-csrf=C; Path=/; Secure', 'fix-login')).toBe('__Host-pc~fix-login~csrf=C; Path=/; Secure');
    expect(prefixSetCookie('portico_1a2b3c4d=i1; Path=/', 'fix-login')).toBe('portico_1a2b3c4d=i1; Path=/');
  });
});

describe('the traffic filter copy:', () => {
  it('shows the requests one copy served, exactly', async () => {
    const {parseFilter, matchFilter} = await import('../../../src/traffic/filter.js');
    const event = (notes: string[]) =>
      ({method: 'GET', host: 'shop.localhost', path: '/', status: 200, protocol: 'h2', notes}) as unknown as Parameters<typeof matchFilter>[1];
    const filter = parseFilter('copy:fix-login');
    expect(matchFilter(filter, event(['copy: fix-login']))).toBe(true);
    expect(matchFilter(filter, event(['copy: fix-login-2']))).toBe(false);
    expect(matchFilter(filter, event([]))).toBe(false);
  });
});
