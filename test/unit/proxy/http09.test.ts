import {describe, expect, it} from 'vitest';
import {isHttp09} from '../../../src/proxy/edges.js';

// The first bytes of an HTTP/1 connection (src/proxy/servers.ts reads them before Node's parser does).
describe('isHttp09', () => {
  it('finds an HTTP/0.9 request line: a method and a target, no version', () => {
    for (const line of ['GET /\r\n', 'GET /api/x\r\n', 'GET /\n', 'GET /\r\n\r\n']) expect(isHttp09(Buffer.from(line)), line).toBe(true);
  });

  it('leaves every other first line to the HTTP/1.1 parser (which answers 400 to garbage)', () => {
    for (const line of ['GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'GET / HTTP/1.0\r\n', 'GARBAGE\r\n\r\n', 'GET / extra\r\n', '\r\n', 'GET /', 'GET HTTP/1.1\r\n']) {
      expect(isHttp09(Buffer.from(line)), JSON.stringify(line)).toBe(false);
    }
  });
});
