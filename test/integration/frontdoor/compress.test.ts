import {execFile} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {promisify} from 'node:util';
import zlib from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CODINGS} from '../../../src/frontdoor/negotiate.js';
import {route, startBackend, startHarness, type Backend, type Harness} from '../../helpers/harness.js';
import {fetchRaw} from '../../helpers/raw.js';

const run = promisify(execFile);
const json = Buffer.from(JSON.stringify(Array.from({length: 2000}, (_, i) => ({id: i, name: `item ${i}`, tags: ['a', 'b']}))));

let h: Harness;
let b: Backend;
beforeAll(async () => {
  b = await startBackend('b', (req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'});
      res.write('data: first\n\n');
      // The second event waits for the client to have seen the first: proof nothing is buffered.
      req.socket.once('close', () => res.end());
      (b as Backend & {sse?: typeof res}).sse = res;
      return;
    }
    res.writeHead(200, {'content-type': 'application/json', 'content-length': json.length, etag: '"j1"'});
    res.end(json);
  });
  h = await startHarness([{...route('api.localhost', [b.port]), options: {compress: true}}]);
});
afterAll(async () => {
  await h?.close();
  await b?.close();
});

function decode(coding: string, body: Buffer): Buffer {
  if (coding === 'gzip') return zlib.gunzipSync(body);
  if (coding === 'br') return zlib.brotliDecompressSync(body);
  return (zlib as unknown as {zstdDecompressSync(b: Buffer): Buffer}).zstdDecompressSync(body);
}

describe('compression through portico', () => {
  for (const h2 of [false, true]) {
    for (const coding of CODINGS) {
      it(`sends ${coding} over ${h2 ? 'HTTP/2' : 'HTTP/1.1'} that Node's zlib decodes to the backend's bytes`, async () => {
        const reply = await fetchRaw(h, 'api.localhost', '/data', {h2, headers: {'accept-encoding': coding}});
        expect(reply.status).toBe(200);
        expect(reply.headers['content-encoding']).toBe(coding);
        expect(reply.headers['content-length']).toBeUndefined();
        expect(reply.headers.vary).toBe('Accept-Encoding');
        expect(reply.headers.etag).toBe('W/"j1"');
        expect(reply.body.length).toBeLessThan(json.length / 4);
        expect(decode(coding, reply.body).equals(json)).toBe(true);
      });
    }
  }

  it('sends the body as it is to a client that accepts no encoding', async () => {
    const reply = await fetchRaw(h, 'api.localhost', '/data', {headers: {'accept-encoding': 'identity'}});
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.body.equals(json)).toBe(true);
  });

  for (const args of [['--compressed'], ['--http2', '--compressed'], ['--http1.1', '--compressed']]) {
    it(`serves curl ${args.join(' ')} a body that decodes to the backend's bytes`, async () => {
      const caFile = path.join(h.dir, 'ca.pem');
      writeFileSync(caFile, h.ca);
      const out = path.join(h.dir, `out-${args.length}.json`);
      const {stdout} = await run('curl', [
        '-sS',
        ...args,
        '--cacert',
        caFile,
        '--resolve',
        `api.localhost:${h.proxy.port}:127.0.0.1`,
        '-o',
        out,
        '-w',
        '%{http_code} %{size_download}',
        `https://api.localhost:${h.proxy.port}/data`,
      ]);
      const [status, downloaded] = stdout.split(' ').map(Number);
      expect(status).toBe(200);
      expect(downloaded).toBeLessThan(json.length / 4);
      expect(readFileSync(out).equals(json)).toBe(true);
    });
  }

  it('streams server-sent events through gzip as they are sent', async () => {
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: h.proxy.port,
          path: '/events',
          servername: 'api.localhost',
          ca: h.ca,
          headers: {host: 'api.localhost', 'accept-encoding': 'gzip'},
          agent: false,
        },
        (res) => {
          expect(res.headers['content-encoding']).toBe('gzip');
          const gunzip = zlib.createGunzip();
          res.pipe(gunzip);
          gunzip.on('data', (c: Buffer) => {
            got.push(c.toString());
            const text = got.join('');
            // The second event is sent only once the first arrived: a buffering proxy would hang here.
            if (text === 'data: first\n\n') (b as Backend & {sse?: {write(s: string): void}}).sse!.write('data: second\n\n');
            if (text.endsWith('data: second\n\n')) {
              req.destroy();
              resolve();
            }
          });
          gunzip.on('error', reject);
        },
      );
      req.on('error', (e) => (got.join('').endsWith('second\n\n') ? resolve() : reject(e)));
      req.end();
    });
    expect(got.join('')).toBe('data: first\n\ndata: second\n\n');
  });
});
