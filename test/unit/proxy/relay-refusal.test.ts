import http from 'node:http';
import net from 'node:net';
import {describe, expect, it} from 'vitest';
import {RelayClient} from '../../../src/proxy/relay.js';
import type {ProxyResponse} from '../../../src/proxy/writer.js';

describe('the relay from a worker to the primary', () => {
  it('returns a request HTTP/1.1 cannot carry as a 400 refusal (for the entrance to answer and log), sending nothing', () => {
    const relay = new RelayClient('/nonexistent/relay.sock', 'secret', () => 443);
    const req = new http.IncomingMessage(new net.Socket());
    req.method = 'GET';
    req.url = '/x';
    req.headers = {host: 'api.localhost', 'x-bad': 'a\u0001b'};
    const written: unknown[] = [];
    const res = {writeHead: (...args: unknown[]) => written.push(args), end: (...args: unknown[]) => written.push(args)} as unknown as ProxyResponse;
    const refusal = relay.request(req, res);
    expect(refusal).toMatchObject({status: 400, error: 'ERR_INVALID_CHAR'});
    expect(refusal?.reason).toMatch(/^portico cannot forward this request: Invalid character in header content \["x-bad"\]/);
    expect(written).toEqual([]);
  });
});
