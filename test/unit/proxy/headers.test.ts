import type {IncomingHttpHeaders} from 'node:http';
import {describe, expect, it} from 'vitest';
import {HOP_HEADER, forwardRequestHeaders, forwardResponseHeaders, requestHost} from '../../../src/proxy/headers.js';

const options = {host: 'app.localhost', port: 1443, clientIp: '127.0.0.1', hop: 'hop-1'};

describe('request headers sent to the backend', () => {
  it('keep end-to-end headers as sent and set Host and X-Forwarded-* for the original request', () => {
    const out = forwardRequestHeaders({host: 'app.localhost:1443', accept: 'text/html', cookie: 'a=1', 'x-custom': ['one', 'two']}, options);
    expect(out).toEqual({
      host: 'app.localhost:1443',
      accept: 'text/html',
      cookie: 'a=1',
      'x-custom': ['one', 'two'],
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.localhost:1443',
      'x-forwarded-port': '1443',
      [HOP_HEADER]: 'hop-1',
    });
  });

  it('drop hop-by-hop headers, the ones Connection names, and HTTP/2 pseudo-headers, keeping Trailer', () => {
    const headers: IncomingHttpHeaders = {
      ':method': 'GET',
      ':authority': 'app.localhost',
      connection: 'keep-alive, X-Secret',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic x',
      'transfer-encoding': 'chunked',
      upgrade: 'h2c',
      te: 'gzip',
      trailer: 'x-t',
      'x-secret': 'per-connection',
      'x-kept': 'yes',
    };
    const out = forwardRequestHeaders(headers, options);
    // Trailer is end-to-end (RFC 9110 §6.6.2): it announces the trailers portico forwards.
    expect(Object.keys(out).sort()).toEqual(
      [HOP_HEADER, 'host', 'trailer', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto', 'x-kept'].sort(),
    );
  });

  it('let `TE: trailers` through (gRPC needs it) but no other TE', () => {
    expect(forwardRequestHeaders({te: 'trailers'}, options).te).toBe('trailers');
    expect(forwardRequestHeaders({te: 'trailers, deflate'}, options).te).toBeUndefined();
  });

  it('replace a client-sent X-Forwarded-For chain, Forwarded and X-Original-URL: portico is the first proxy', () => {
    const out = forwardRequestHeaders(
      {
        'x-forwarded-for': '10.0.0.1',
        forwarded: 'for=10.0.0.1;host=evil',
        'x-forwarded-prefix': '/admin',
        'x-forwarded-port': '80',
        'x-original-url': '/admin',
        'x-rewrite-url': '/admin',
      },
      options,
    );
    expect(out['x-forwarded-for']).toBe('127.0.0.1');
    expect(out['x-forwarded-port']).toBe('1443');
    for (const name of ['forwarded', 'x-forwarded-prefix', 'x-original-url', 'x-rewrite-url']) expect(out[name]).toBeUndefined();
  });

  it('override a forged X-Forwarded-Proto/Host and loop mark with the real ones', () => {
    const out = forwardRequestHeaders({'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example', [HOP_HEADER]: 'forged'}, options);
    expect(out).toMatchObject({'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.localhost:1443', [HOP_HEADER]: 'hop-1'});
  });

  it('keep the WebSocket handshake headers for an upgrade, and only then', () => {
    const handshake: IncomingHttpHeaders = {connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k=='};
    expect(forwardRequestHeaders(handshake, {...options, upgrade: true})).toMatchObject({
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-key': 'k==',
    });
    const plain = forwardRequestHeaders(handshake, options);
    expect(plain.connection).toBeUndefined();
    expect(plain.upgrade).toBeUndefined();
  });
});

describe('response headers sent to the client', () => {
  it('drop hop-by-hop headers and the ones Connection names, keeping the rest', () => {
    const out = forwardResponseHeaders({
      connection: 'close, x-drop',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'x-drop': 'secret',
      'set-cookie': ['a=1', 'b=2'],
      'content-type': 'text/plain',
    });
    expect(out).toEqual({'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain'});
  });

  it('drop only what is hop-by-hop when Connection holds one common value, in any case', () => {
    for (const connection of ['keep-alive', 'Keep-Alive', 'close', 'Upgrade']) {
      expect(forwardResponseHeaders({connection, 'keep-alive': 'timeout=5', 'x-keep': '1'})).toEqual({'x-keep': '1'});
    }
    // A list, or a name that is not a hop-by-hop one, still goes through the whole check.
    expect(forwardResponseHeaders({connection: 'Keep-Alive, X-Keep', 'x-keep': '1', 'x-other': '2'})).toEqual({'x-other': '2'});
    expect(forwardResponseHeaders({connection: 'x-close', 'x-close': '1'})).toEqual({});
  });
});

describe('the host a request is for', () => {
  it('is lower-case, without the port or one trailing dot, IPv6 literals kept in brackets', () => {
    expect(requestHost({host: 'App.Localhost:1443'})).toBe('app.localhost');
    expect(requestHost({host: 'app.localhost.'})).toBe('app.localhost');
    expect(requestHost({host: 'app.localhost.:443'})).toBe('app.localhost');
    expect(requestHost({':authority': '[::1]:1443'})).toBe('[::1]');
    expect(requestHost({host: '.'})).toBe('');
    expect(requestHost({})).toBeUndefined();
  });
});
