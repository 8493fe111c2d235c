import {describe, expect, it} from 'vitest';
import {corsFeature} from '../../../src/frontdoor/cors.js';
import {headersFeature} from '../../../src/frontdoor/headers.js';
import {backendResponse, fakeEntry, fakeExchange, runThrough} from '../../helpers/exchange.js';

const preflight = (origin: string) => ({
  method: 'OPTIONS',
  headers: {origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type, x-token'},
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin with 204 and the Allow headers', async () => {
    const entry = fakeEntry({cors: {origins: ['https://app.localhost']}});
    const {response, backendCalled} = await runThrough(corsFeature(), entry, fakeExchange({...preflight('https://app.localhost'), entry}), () =>
      backendResponse(404, {}),
    );
    expect(backendCalled).toBe(false);
    expect(response.status).toBe(204);
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.localhost',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type, x-token',
      'access-control-allow-credentials': 'true',
    });
    expect(response.headers.vary).toContain('Origin');
  });

  it('leaves a preflight from another origin to the backend, and adds no CORS headers', async () => {
    const entry = fakeEntry({cors: {origins: ['https://app.localhost']}});
    const {response, backendCalled} = await runThrough(corsFeature(), entry, fakeExchange({...preflight('https://evil.localhost'), entry}), () =>
      backendResponse(405, {}),
    );
    expect(backendCalled).toBe(true);
    expect(response.status).toBe(405);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('adds Allow-Origin *, without credentials, Vary: Origin and the exposed headers to responses for any origin with --cors=*', async () => {
    const entry = fakeEntry({cors: {origins: ['*']}});
    const ex = fakeExchange({headers: {origin: 'https://x.localhost'}, entry});
    const {response} = await runThrough(corsFeature(), entry, ex, () =>
      backendResponse(200, {'content-type': 'application/json', 'x-total': '3', 'access-control-allow-credentials': 'true'}, '[]'),
    );
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers['access-control-expose-headers']).toBe('x-total');
    expect(response.headers.vary).toBe('Origin');
  });
});

describe('header rules', () => {
  it('sets and removes request headers before the backend and response headers after it', async () => {
    const entry = fakeEntry({
      requestHeaders: [{name: 'x-user', value: 'dev'}, {name: 'cookie'}],
      responseHeaders: [{name: 'x-frame-options', value: 'DENY'}, {name: 'server'}],
    });
    const ex = fakeExchange({headers: {cookie: 'a=1', 'x-user': 'someone'}, entry});
    const {response} = await runThrough(headersFeature(), entry, ex, (seen) => {
      expect(seen.requestHeaders).toEqual({'x-user': 'dev'});
      return backendResponse(200, {server: 'express', 'content-type': 'text/plain'}, 'ok');
    });
    expect(response.headers).toEqual({'x-frame-options': 'DENY', 'content-type': 'text/plain'});
  });
});
