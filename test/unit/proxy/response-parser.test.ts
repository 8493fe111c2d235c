import {describe, expect, it} from 'vitest';
import {ResponseParser, type ResponseHead} from '../../../src/proxy/response-parser.js';

interface Parsed {
  head?: ResponseHead;
  body: string;
  ended: boolean;
  parser: ResponseParser;
}

/** Feed `wire` in pieces cut at `cuts` (byte offsets), as a socket might deliver it. */
function parse(wire: string, options: {head?: boolean; cuts?: number[]} = {}): Parsed {
  const out: Parsed = {body: '', ended: false} as Parsed;
  out.parser = new ResponseParser(
    {
      head: (h) => (out.head = h),
      body: (c) => (out.body += c.toString('latin1')),
      end: () => (out.ended = true),
    },
    options.head ?? false,
  );
  const bytes = Buffer.from(wire, 'latin1');
  const cuts = [0, ...(options.cuts ?? []), bytes.length];
  for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i + 1]! > cuts[i]!) out.parser.execute(bytes.subarray(cuts[i], cuts[i + 1]));
  return out;
}

/** Every way to split `wire` in two: a parser must not care where the socket cut. */
function everySplit(wire: string, check: (p: Parsed) => void, options: {head?: boolean} = {}): void {
  for (let at = 0; at <= wire.length; at++) check(parse(wire, {...options, cuts: [at]}));
}

const CL = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Many: 1\r\nX-Many: 2\r\n\r\nhello world';
const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';

describe('backend response parser', () => {
  it('reads a Content-Length body wherever the socket splits it, with headers as Node shapes them', () => {
    everySplit(CL, (p) => {
      expect(p.head?.status).toBe(200);
      expect(p.head?.headers['content-type']).toBe('text/plain');
      expect(p.head?.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(p.head?.headers['x-many']).toBe('1, 2');
      expect(p.body).toBe('hello world');
      expect(p.ended).toBe(true);
      expect(p.parser.keepAlive).toBe(true);
      expect(p.parser.extra).toBe(false);
    });
  });

  it('decodes chunked bodies with extensions and trailers wherever the socket splits them', () => {
    everySplit(CHUNKED, (p) => {
      expect(p.body).toBe('hello world');
      expect(p.ended).toBe(true);
      expect(p.parser.done).toBe(true);
      expect(p.parser.keepAlive).toBe(true);
    });
    // Three cuts too, through the size line, the data and the trailer.
    for (let a = 1; a < CHUNKED.length; a += 3) for (let b = a + 1; b < CHUNKED.length; b += 5) expect(parse(CHUNKED, {cuts: [a, b]}).body).toBe('hello world');
  });

  it('gives HEAD answers, 204 and 304 no body whatever their headers say', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n', {head: true})).toMatchObject({body: '', ended: true});
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n')).toMatchObject({body: '', ended: true});
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n')).toMatchObject({body: '', ended: true});
  });

  it('skips 100 Continue and 103 Early Hints and reads the final response after them', () => {
    const p = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
    expect(p.head?.status).toBe(201);
    expect(p.head?.headers.link).toBeUndefined();
    expect(p.body).toBe('ok');
  });

  it('reads a body without length until the backend closes, and never reuses that connection', () => {
    const p = parse('HTTP/1.1 200 OK\r\n\r\nstreamed until close');
    expect(p.body).toBe('streamed until close');
    expect(p.ended).toBe(false);
    expect(p.parser.keepAlive).toBe(false);
    expect(p.parser.finish()).toBe(true);
    expect(p.ended).toBe(true);
  });

  it('reports a response cut short by the close', () => {
    const p = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    expect(p.parser.finish()).toBe(false);
    expect(p.ended).toBe(false);
  });

  it('lets Transfer-Encoding win over Content-Length and drops the length', () => {
    const p = parse('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
    expect(p.body).toBe('ok');
    expect(p.head?.headers['content-length']).toBeUndefined();
  });

  it('follows Connection: close, and HTTP/1.0 keep-alive only when asked', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').parser.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').parser.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n').parser.keepAlive).toBe(true);
  });

  it('flags bytes after the end of the response, so the connection is not reused', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE').parser.extra).toBe(true);
  });

  it('refuses malformed responses instead of guessing', () => {
    for (const wire of [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 2000 OK\r\n\r\n',
      'ICY 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nbad header\r\n\r\n',
      'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    ]) {
      expect(() => parse(wire), wire).toThrow(/invalid|conflicting|missing|unexpected/);
    }
  });

  it('refuses a response head larger than 64 KiB', () => {
    expect(() => parse(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`, {cuts: [1000, 40_000]})).toThrow(/too large/);
  });
});
