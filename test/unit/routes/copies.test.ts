import {describe, expect, it} from 'vitest';
import {normalizeHost} from '../../../src/routes/name.js';
import {copyLabel, distinctLabel} from '../../../src/routes/copy-name.js';
import {indexCopies} from '../../../src/routes/copies.js';
import {validateCopy, validateSwitch} from '../../../src/routes/copy.js';
import type {Route} from '../../../src/routes/types.js';

const route = (host: string, extra: Partial<Route> = {}, dir = `/src/${host}`): Route => ({
  host,
  path: '/',
  targets: [{url: 'http://localhost:3000', owner: 1, dir}],
  strategy: 'round-robin',
  stripPrefix: false,
  ...extra,
});
const valid = (label: string) => normalizeHost(`${label}.shop.localhost`) === `${label}.shop.localhost`;

describe('a copy is named after its branch', () => {
  it('turns slashes, capitals, underscores and dots into one DNS label', () => {
    expect(copyLabel('feature/Fix_Login')).toBe('feature-fix-login');
    expect(copyLabel('release/1.2.x')).toBe('release-1-2-x');
    expect(copyLabel('--weird//name--')).toBe('weird-name');
    expect(copyLabel('main')).toBe('main');
  });

  it('drops accents and writes other scripts as punycode', () => {
    expect(copyLabel('café/crème')).toBe('cafe-creme');
    const chinese = copyLabel('修复/登录');
    expect(chinese).toMatch(/^xn--/);
    expect(valid(chinese)).toBe(true);
  });

  it('cuts a long branch to 63 octets with a hash, the same every time and different for another branch', () => {
    const long = `feature/${'very-long-branch-name-'.repeat(6)}`;
    const a = copyLabel(`${long}one`);
    const b = copyLabel(`${long}two`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toBe(copyLabel(`${long}one`));
    expect(a).not.toBe(b);
    expect(valid(a) && valid(b)).toBe(true);
    const unicode = copyLabel('修'.repeat(40));
    expect(unicode.length).toBeLessThanOrEqual(63);
    expect(valid(unicode)).toBe(true);
  });

  it('gives a branch of symbols only a name still', () => {
    expect(valid(copyLabel('///'))).toBe(true);
    expect(copyLabel('///')).toBe(copyLabel('///'));
  });

  it('makes a second clone on the same branch distinct by its directory', () => {
    expect(distinctLabel('main', '/src/shop-2')).toMatch(/^main-[0-9a-f]{6}$/);
    expect(distinctLabel('main', '/src/shop-2')).not.toBe(distinctLabel('main', '/src/shop-3'));
  });
});

describe('copies are grouped under their stable host', () => {
  const first = route('shop.localhost', {copy: {name: 'main', branch: 'main'}});
  const fix = route('fix-login.shop.localhost', {copy: {name: 'fix-login', of: 'shop.localhost', branch: 'fix/login'}});

  it('serves the first copy by default, and the one `portico use` chose', () => {
    const {groups, aliases} = indexCopies([first, fix]);
    expect(groups.get('shop.localhost')!.serving).toBe('main');
    expect(groups.get('shop.localhost')!.members.map((m) => [m.name, m.address, m.first])).toEqual([
      ['main', 'main.shop.localhost', true],
      ['fix-login', 'fix-login.shop.localhost', false],
    ]);
    expect(aliases.get('main.shop.localhost')).toBe('shop.localhost');
    expect(indexCopies([first, fix], new Map([['shop.localhost', 'fix-login']])).groups.get('shop.localhost')!.serving).toBe('fix-login');
    expect(indexCopies([first, fix], new Map([['shop.localhost', 'gone']])).groups.get('shop.localhost')!.serving).toBe('main');
  });

  it('is no group while one directory runs the app alone', () => {
    expect(indexCopies([first]).groups.size).toBe(0);
    expect(indexCopies([first]).aliases.size).toBe(0);
  });

  it('counts a stable route from before copies as the first copy, named after its directory', () => {
    const group = indexCopies([route('shop.localhost', {}, '/src/Shop'), fix]).groups.get('shop.localhost')!;
    expect(group.members.map((m) => m.name)).toEqual(['shop', 'fix-login']);
    expect(group.serving).toBe('shop');
  });

  it('refuses copy data that is not a DNS label or a valid switch name', () => {
    expect(() => validateCopy({name: 'Fix/Login'})).toThrow(/not a DNS label/);
    expect(() => validateSwitch({header: 'X Copy'})).toThrow(/copies\.header/);
    expect(() => validateSwitch({color: 'x'})).toThrow(/unknown key `copies\.color`/);
    expect(validateSwitch({header: 'X-Branch'})).toEqual({header: 'x-branch', cookie: 'portico-copy', query: 'portico-copy'});
  });
});

describe('portico.json copies', () => {
  it('is read by the project parser, and a bad name is refused with the file named', async () => {
    const {parseProjectConfig} = await import('../../../src/routes/project.js');
    expect(parseProjectConfig({name: 'shop', copies: {header: 'X-Branch'}, routes: {}}, '/p/portico.json', '/p').name).toBe('shop');
    expect(() => parseProjectConfig({copies: {cookie: 'a;b'}, routes: {}}, '/p/portico.json', '/p')).toThrow(
      /Invalid `\/p\/portico\.json`: `copies\.cookie` "a;b" is not a valid name\./,
    );
  });
});
