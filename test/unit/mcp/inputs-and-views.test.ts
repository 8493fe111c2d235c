import {describe, expect, it} from 'vitest';
import {exchangeView, eventFromCapture} from '../../../src/mcp/exchange-view.js';
import {optionRequests, parseOptionArgs} from '../../../src/mcp/tools/route-options.js';
import {hostAndPath} from '../../../src/mcp/tools/routes.js';
import {parseTime} from '../../../src/mcp/tools/traffic.js';
import type {ExchangeCapture} from '../../../src/traffic/capture.js';
import {gzipSync} from 'node:zlib';

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64');

/** A text frame from the server (unmasked) and one from the client (masked, as RFC 6455 requires). */
function frame(text: string, mask?: Buffer): Buffer {
  const data = Buffer.from(text);
  if (!mask) return Buffer.concat([Buffer.from([0x81, data.length]), data]);
  return Buffer.concat([Buffer.from([0x81, 0x80 | data.length]), mask, Buffer.from(data.map((byte, i) => byte ^ mask[i % 4]!))]);
}

const capture: ExchangeCapture = {
  id: 7,
  started: Date.parse('2026-12-07T10:00:00Z'),
  method: 'GET',
  host: 'app.localhost',
  url: '/live',
  clientProtocol: 'ws',
  backendProtocol: 'http/1.1',
  route: 'app.localhost',
  requestHeaders: {host: 'app.localhost:1443', upgrade: 'websocket'},
  status: 101,
  responseHeaders: {upgrade: 'websocket'},
  timing: {picked: 0, connected: 2, firstByte: 5, end: 900},
  attempts: [{target: 'http://localhost:5173', at: 0}],
  notes: [],
  websocket: {
    dropped: 0,
    messages: [
      {at: 10, from: 'client', size: 11, base64: b64(frame('hello', Buffer.from([1, 2, 3, 4])))},
      {at: 12, from: 'backend', size: 7, base64: b64(frame('world'))},
    ],
  },
};

describe('an exchange as get_exchange returns it', () => {
  it("shows a WebSocket session's frames, unmasked", () => {
    const view = exchangeView(eventFromCapture(capture), capture) as {url: string; websocket: {messages: Array<{from: string; frames: string[]}>}};
    expect(view.url).toBe('https://app.localhost:1443/live');
    expect(view.websocket.messages).toEqual([
      {atMs: 10, from: 'client', frames: ['text 5 B "hello"']},
      {atMs: 12, from: 'backend', frames: ['text 5 B "world"']},
    ]);
  });

  it('decodes a gzip JSON body and says when only its start was captured', () => {
    const json = JSON.stringify({items: [1, 2, 3]});
    const c: ExchangeCapture = {
      ...capture,
      clientProtocol: 'h1',
      status: 200,
      websocket: undefined,
      responseHeaders: {'content-type': 'application/json', 'content-encoding': 'gzip'},
      responseBody: {size: 200_000, truncated: true, base64: b64(gzipSync(json))},
    };
    const view = exchangeView(eventFromCapture(c), c) as {response: {body: Record<string, unknown>}};
    expect(view.response.body).toEqual({
      type: 'application/json',
      size: 200_000,
      decoded: 'gzip',
      truncated: 'only the first 65536 bytes were captured',
      text: JSON.stringify({items: [1, 2, 3]}, null, 2),
    });
  });

  it('says why a request has no headers or bodies when it was not captured', () => {
    const view = exchangeView({...eventFromCapture(capture), captured: undefined}, undefined);
    expect(view).toEqual(expect.objectContaining({captured: false, why: expect.stringMatching(/portico mcp/)}));
  });
});

describe('tool inputs', () => {
  it('reads a time window as a duration ago or a date', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    expect(parseTime('5m', 'since', now)).toBe(now - 300_000);
    expect(parseTime('2026-12-07T09:00:00Z', 'since', now)).toBe(now - 3_600_000);
    expect(() => parseTime('yesterday', 'since', now)).toThrow('Invalid since `yesterday`: expected a duration ago (30s, 5m, 2h) or an ISO date.');
  });

  it('reads front-door options with the words `portico add` uses', () => {
    expect(parseOptionArgs({fail: '10%:503', delay: '300ms-1s', drop: '5%', cache: true})).toEqual({
      fail: {rate: 0.1, status: 503},
      delay: {minMs: 300, maxMs: 1000},
      drop: {rate: 0.05},
      cache: {maxBytes: 64 * 1024 * 1024},
    });
    expect(() => parseOptionArgs({delay: 'soon'})).toThrow(/^Invalid delay `soon`/);
  });

  it('finds a route from a name, a name and path, or a URL', () => {
    expect(hostAndPath('App.localhost/api')).toEqual({host: 'app.localhost', path: '/api'});
    expect(hostAndPath('https://app.localhost:1443/api/users?x=1')).toEqual({host: 'app.localhost', path: '/api/users'});
  });
});

describe('set_route_options as control requests', () => {
  it('replaces the options once and re-sends each portico run its own instances with their weights, so none changes hands', () => {
    const route = {
      host: 'web.localhost',
      path: '/',
      strategy: 'round-robin' as const,
      stripPrefix: false,
      options: {fail: {rate: 0.5, status: 503}},
      targets: [
        {url: 'http://localhost:5001', owner: 41, dir: '/src/web'},
        {url: 'http://localhost:5002', owner: 41, dir: '/src/web'},
        {url: 'http://localhost:9000', weight: 3},
      ],
    };
    expect(optionRequests(route, 'web.localhost', {delay: {minMs: 5, maxMs: 5}})).toEqual([
      {
        spec: 'web.localhost',
        targets: ['http://localhost:5001', 'http://localhost:5002'],
        replace: true,
        options: {delay: {minMs: 5, maxMs: 5}},
        owner: 41,
        join: true,
        dir: '/src/web',
      },
      {spec: 'web.localhost', targets: ['http://localhost:9000=3']},
    ]);
  });
});
