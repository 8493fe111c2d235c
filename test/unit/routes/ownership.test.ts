import {describe, expect, it} from 'vitest';
import {addRoute, setProjectRoutes} from '../../../src/daemon/routes.js';
import {httpsLocation} from '../../../src/daemon/redirect80.js';
import {isLoopbackName, refuseSelfTargets} from '../../../src/routes/self.js';
import {routeOwner} from '../../../src/routes/owner.js';
import type {Route} from '../../../src/routes/types.js';

const route = (host: string, extra: Partial<Route> = {}): Route => ({
  host,
  path: '/',
  targets: [{url: 'http://localhost:3000'}],
  strategy: 'round-robin',
  stripPrefix: false,
  ...extra,
});

describe('who owns a route', () => {
  it('is the project, else the run with its directory, else the hand that added it', () => {
    expect(routeOwner(route('a.localhost', {project: '/src/a'}))).toEqual({kind: 'project', dir: '/src/a'});
    expect(routeOwner(route('a.localhost', {targets: [{url: 'http://localhost:1', owner: 42, dir: '/src/b'}]}))).toEqual({
      kind: 'run',
      dir: '/src/b',
      pids: [42],
    });
    expect(routeOwner(route('a.localhost'))).toEqual({kind: 'hand'});
  });

  it('refuses a run from another directory unless it joins, and names both directories', () => {
    const routes = [route('shop.localhost', {targets: [{url: 'http://localhost:4001', owner: 1, dir: '/src/shop'}]})];
    const request = {spec: 'shop.localhost', targets: ['4002'], owner: 2, dir: '/src/shop-fix'};
    expect(() => addRoute(routes, request)).toThrow(/`shop\.localhost` is already served by portico run in \/src\/shop \(pid 1\); this is \/src\/shop-fix\./);
    const joined = addRoute(routes, {...request, join: true});
    expect(joined.route.targets).toHaveLength(2);
    expect(joined.notices[0]).toMatch(/requests alternate between both directories/);
    // The same directory (a restart, a second `run`) joins without a word.
    expect(addRoute(routes, {...request, dir: '/src/shop'}).notices).toEqual([]);
  });

  it('makes a project route changed by hand the user’s, and says so', () => {
    const result = addRoute([route('app.localhost', {project: '/src/app'})], {spec: 'app.localhost', targets: ['5174'], replace: true});
    expect(result.route.project).toBeUndefined();
    expect(result.notices[0]).toMatch(/was declared by \/src\/app; it is yours now/);
  });

  it('reports what a project takes over and what it no longer declares', () => {
    const before = [route('docs.localhost'), route('old.localhost', {project: '/p'}), route('keep.localhost', {project: '/other'})];
    const result = setProjectRoutes(before, {project: '/p', routes: [route('docs.localhost', {targets: [{url: 'http://localhost:4200'}]})]});
    expect(result.replaced).toEqual([{route: 'docs.localhost', owner: 'added by hand', targets: ['http://localhost:3000']}]);
    expect(result.removed).toEqual(['old.localhost']);
    expect(result.routes.map((r) => r.host).sort()).toEqual(['docs.localhost', 'keep.localhost']);
  });
});

describe("portico's own port", () => {
  it('knows every loopback spelling', () => {
    for (const name of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '0.0.0.0', '::1', '0:0:0:0:0:0:0:1', '::', '::ffff:127.0.0.1'])
      expect(isLoopbackName(name), name).toBe(true);
    for (const name of ['10.0.0.1', 'example.com', '::2', 'fe80::1']) expect(isLoopbackName(name), name).toBe(false);
  });

  it('refuses a target on it, http or https', () => {
    expect(() => refuseSelfTargets(route('a.localhost', {targets: [{url: 'https://localhost:1443'}]}), [1443])).toThrow(/portico's own port 1443/);
    expect(() => refuseSelfTargets(route('a.localhost', {targets: [{url: 'http://[::1]:80'}]}), [443, 80])).toThrow(/own port 80/);
    expect(() => refuseSelfTargets(route('a.localhost', {targets: [{url: 'http://localhost:1444'}]}), [1443])).not.toThrow();
  });

  it('redirects port 80 to the https URL, with the TLS port when it is not 443', () => {
    expect(httpsLocation('app.localhost', '/a?b=1', 443)).toBe('https://app.localhost/a?b=1');
    expect(httpsLocation('app.localhost:80', '/', 1443)).toBe('https://app.localhost:1443/');
    expect(httpsLocation('[::1]', '/', 443)).toBe('https://[::1]/');
    expect(httpsLocation(undefined, '/', 443)).toBeUndefined();
    expect(httpsLocation('evil"host', '/', 443)).toBeUndefined();
  });
});
