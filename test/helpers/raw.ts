import type http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type {Harness} from './harness.js';

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body bytes as they came over the wire (still encoded). */
  body: Buffer;
}

/** A request through the proxy over HTTP/1.1 or HTTP/2 (TLS verified against the harness CA), body kept as bytes. */
export function fetchRaw(
  h: Harness,
  host: string,
  path: string,
  options: {headers?: http.OutgoingHttpHeaders; method?: string; h2?: boolean} = {},
): Promise<RawReply> {
  return options.h2 ? fetchH2(h, host, path, options) : fetchH1(h, host, path, options);
}

function fetchH1(h: Harness, host: string, path: string, options: {headers?: http.OutgoingHttpHeaders; method?: string}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: h.proxy.port,
        path,
        method: options.method ?? 'GET',
        servername: host,
        ca: h.ca,
        headers: {host, ...options.headers},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks)}));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function fetchH2(h: Harness, host: string, path: string, options: {headers?: http.OutgoingHttpHeaders; method?: string}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://${host}:${h.proxy.port}`, {ca: h.ca, servername: host, host: '127.0.0.1'} as http2.SecureClientSessionOptions);
    session.on('error', reject);
    const stream = session.request({':method': options.method ?? 'GET', ':path': path, ':authority': host, ...options.headers});
    const chunks: Buffer[] = [];
    let headers: http.IncomingHttpHeaders = {};
    let status = 0;
    stream.on('response', (h2headers) => {
      status = Number(h2headers[':status']);
      headers = h2headers as http.IncomingHttpHeaders;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      session.close();
      resolve({status, headers, body: Buffer.concat(chunks)});
    });
    stream.on('error', reject);
    stream.end();
  });
}
