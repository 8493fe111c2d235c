import {describe, expect, it} from 'vitest';
import {normalizeHost, toLabel} from '../../../src/routes/name.js';
import {parseRouteSpec, parseStrategy, parseTarget} from '../../../src/routes/parse.js';

describe('route names', () => {
  it('folds upper case and accepts localhost and names under it', () => {
    expect(normalizeHost('API.Localhost')).toBe('api.localhost');
    expect(normalizeHost('localhost')).toBe('localhost');
    expect(normalizeHost('a.b.localhost.')).toBe('a.b.localhost');
  });

  it('turns an IDN label into punycode', () => {
    expect(normalizeHost('café.localhost')).toBe('xn--caf-dma.localhost');
  });

  it('refuses names outside .localhost, naming the value', () => {
    expect(() => normalizeHost('example.com')).toThrow('Invalid name `example.com`: portico serves only `localhost` and names under `.localhost`.');
    expect(() => normalizeHost('localhost.evil.com')).toThrow(/localhost\.evil\.com/);
  });

  it('refuses malformed labels', () => {
    expect(() => normalizeHost('-bad.localhost')).toThrow(/label `-bad`/);
    expect(() => normalizeHost('a..localhost')).toThrow(/a\.\.localhost/);
    expect(() => normalizeHost('under_score.localhost')).toThrow(/under_score/);
    expect(() => normalizeHost(`${'x'.repeat(64)}.localhost`)).toThrow(/1-63/);
  });

  it('makes a label from a package or directory name', () => {
    expect(toLabel('@acme/Web App')).toBe('web-app');
    expect(toLabel('my_project.v2')).toBe('my-project-v2');
    expect(toLabel('---')).toBeUndefined();
  });
});

describe('route specs', () => {
  it('splits host and path, dropping a trailing slash', () => {
    expect(parseRouteSpec('app.localhost/api/')).toEqual({host: 'app.localhost', path: '/api'});
    expect(parseRouteSpec('app.localhost')).toEqual({host: 'app.localhost', path: '/'});
    expect(parseRouteSpec('https://App.localhost/v1/x')).toEqual({host: 'app.localhost', path: '/v1/x'});
  });

  it('refuses a port in the name and dot segments in the path', () => {
    expect(() => parseRouteSpec('app.localhost:1443')).toThrow(/leave the port out/);
    expect(() => parseRouteSpec('app.localhost/a/../b')).toThrow(/`\.\.`/);
  });
});

describe('targets', () => {
  it('reads a bare port as loopback on both families', () => {
    expect(parseTarget('9090')).toEqual({url: 'http://localhost:9090', protocol: 'http:', hostname: 'localhost', port: 9090, dial: ['127.0.0.1', '::1']});
    expect(parseTarget(5173).url).toBe('http://localhost:5173');
  });

  it('reads host:port and URLs', () => {
    expect(parseTarget('127.0.0.1:8080')).toMatchObject({url: 'http://127.0.0.1:8080', dial: ['127.0.0.1']});
    expect(parseTarget('[::1]:8080')).toMatchObject({url: 'http://[::1]:8080', dial: ['::1']});
    expect(parseTarget('https://localhost:8443')).toMatchObject({url: 'https://localhost:8443', protocol: 'https:'});
    expect(parseTarget('http://localhost')).toMatchObject({port: 80});
  });

  it('refuses ports outside 1-65535 and unparsable targets, naming the value', () => {
    expect(() => parseTarget('0')).toThrow('Invalid target `0`: port 0 is outside 1-65535.');
    expect(() => parseTarget('70000')).toThrow('Invalid target `70000`: port 70000 is outside 1-65535.');
    expect(() => parseTarget('localhost:99999')).toThrow(/port 99999 is outside/);
    expect(() => parseTarget('abc')).toThrow('Invalid target `abc`: expected a port, host:port or URL.');
    expect(() => parseTarget('ftp://x:21')).toThrow(/scheme `ftp`/);
    expect(() => parseTarget('http://x:80/base')).toThrow(/no path/);
  });

  it('names the strategies it knows when given another', () => {
    expect(parseStrategy('sticky')).toBe('sticky');
    expect(() => parseStrategy('fastest')).toThrow('Invalid strategy `fastest`: expected one of round-robin, least-conn, random, first, sticky.');
  });
});
