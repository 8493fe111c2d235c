import {describe, expect, it} from 'vitest';
import {forwardPath, indexRoutes, matchRoute} from '../../../src/routes/match.js';
import {normalizePath} from '../../../src/routes/path.js';

const routes = [
  {host: 'app.localhost', path: '/', name: 'web'},
  {host: 'app.localhost', path: '/api', name: 'api'},
  {host: 'app.localhost', path: '/api/v2', name: 'v2'},
  {host: 'api.localhost', path: '/', name: 'other'},
];
const index = indexRoutes(routes);
const match = (host: string, path: string) => matchRoute(index, host, path)?.name;

describe('matching', () => {
  it('picks the exact host, then the longest path prefix', () => {
    expect(match('app.localhost', '/')).toBe('web');
    expect(match('app.localhost', '/api')).toBe('api');
    expect(match('app.localhost', '/api/users')).toBe('api');
    expect(match('app.localhost', '/api/v2/x')).toBe('v2');
    expect(match('api.localhost', '/api')).toBe('other');
  });

  it('matches a prefix only on a segment boundary', () => {
    expect(match('app.localhost', '/apix')).toBe('web');
    expect(match('app.localhost', '/api/v22')).toBe('api');
  });

  it('finds nothing for an unknown host', () => {
    expect(match('nope.localhost', '/')).toBeUndefined();
  });

  it('strips the prefix when asked, keeping the query', () => {
    expect(forwardPath('/api', true, '/api/users?x=1')).toBe('/users?x=1');
    expect(forwardPath('/api', true, '/api')).toBe('/');
    expect(forwardPath('/api', true, '/api?x=1')).toBe('/?x=1');
    expect(forwardPath('/api', false, '/api/users')).toBe('/api/users');
  });
});

describe('request path normalisation', () => {
  it('routes by the path the backend will see', () => {
    expect(normalizePath('/api/../admin')).toBe('/admin');
    expect(normalizePath('/%61pi/x')).toBe('/api/x');
    expect(normalizePath('//api//x/')).toBe('/api/x/');
    expect(normalizePath('/api/%2e%2e/admin')).toBe('/admin');
    expect(normalizePath('/../../etc')).toBe('/etc');
  });

  it('keeps encoded slashes as data', () => {
    expect(normalizePath('/api%2Fx')).toBe('/api%2Fx');
  });
});
