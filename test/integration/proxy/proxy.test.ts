import {createHash, randomBytes} from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import WebSocket, {WebSocketServer} from 'ws';
import {describe, expect, it} from 'vitest';
import {proxyKit, request, route, startBackend, type Harness} from '../../helpers/harness.js';
import {wsOptions} from '../../helpers/ws.js';
import {TIMEOUT, gate, waitFor} from '../../helpers/wait.js';

let h: Harness | undefined;
const kit = proxyKit();
const backend = kit.backend;

function h2(hh: Harness, host = 'app.localhost'): http2.ClientHttp2Session {
  const session = http2.connect(`https://127.0.0.1:${hh.proxy.port}`, {ca: hh.ca, servername: host});
  session.on('error', () => undefined);
  kit.closeAfter(() => session.close());
  return session;
}

function h2get(
  session: http2.ClientHttp2Session,
  path: string,
  host = 'app.localhost',
): Promise<{status: number; body: string; headers: http2.IncomingHttpHeaders}> {
  return new Promise((resolve, reject) => {
    const s = session.request({':path': path, ':authority': host});
    let body = '';
    let headers: http2.IncomingHttpHeaders = {};
    s.on('response', (hdrs) => (headers = hdrs));
    s.setEncoding('utf8');
    s.on('data', (d: string) => (body += d));
    s.on('end', () => resolve({status: Number(headers[':status']), body, headers}));
    s.on('error', reject);
  });
}

describe('HTTP/1.1 and HTTP/2 to the backend', () => {
  it('reaches the backend over both, with the original Host and X-Forwarded-* set', async () => {
    const b = await backend((req, res) =>
      res.end(
        JSON.stringify({
          host: req.headers.host,
          xff: req.headers['x-forwarded-for'],
          proto: req.headers['x-forwarded-proto'],
          xhost: req.headers['x-forwarded-host'],
          version: req.httpVersion,
        }),
      ),
    );
    h = await kit.start([route('app.localhost', [b.port])]);
    const one = JSON.parse((await request(h, `app.localhost:${h.proxy.port}`, '/x')).body);
    expect(one).toEqual({host: `app.localhost:${h.proxy.port}`, xff: '127.0.0.1', proto: 'https', xhost: `app.localhost:${h.proxy.port}`, version: '1.1'});
    const two = await h2get(h2(h), '/y');
    // The port the client reached portico on, even when its :authority left it out.
    expect(JSON.parse(two.body)).toMatchObject({host: `app.localhost:${h.proxy.port}`, proto: 'https', version: '1.1'});
  });

  it('removes hop-by-hop headers both ways', async () => {
    const b = await backend((req, res) => {
      res.setHeader('x-seen', Object.keys(req.headers).join(','));
      res.setHeader('connection', 'x-drop-me');
      res.setHeader('x-drop-me', 'secret');
      res.end('ok');
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    const r = await request(h, 'app.localhost', '/', {
      headers: {connection: 'x-custom', 'x-custom': '1', 'keep-alive': 'timeout=5', 'proxy-connection': 'keep-alive'},
    });
    const seen = String(r.headers['x-seen']).split(',');
    for (const name of ['x-custom', 'keep-alive', 'proxy-connection']) expect(seen).not.toContain(name);
    expect(r.headers['x-drop-me']).toBeUndefined();
  });

  it('keeps backend connections alive across requests', async () => {
    const sockets = new Set<unknown>();
    const b = await backend((req, res) => {
      sockets.add(req.socket);
      res.end('ok');
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    const session = h2(h);
    for (let i = 0; i < 20; i++) await h2get(session, `/${i}`);
    expect(sockets.size).toBe(1);
  });
});

describe('path routing', () => {
  it('takes the longest prefix on a segment boundary and strips it when asked', async () => {
    const web = await backend((req, res) => res.end(`web ${req.url}`));
    const api = await backend((req, res) => res.end(`api ${req.url}`));
    h = await kit.start([route('app.localhost', [web.port]), route('app.localhost', [api.port], {path: '/api', stripPrefix: true})]);
    expect((await request(h, 'app.localhost', '/api/users?x=1')).body).toBe('api /users?x=1');
    expect((await request(h, 'app.localhost', '/api')).body).toBe('api /');
    expect((await request(h, 'app.localhost', '/apix')).body).toBe('web /apix');
    expect((await request(h, 'app.localhost', '/')).body).toBe('web /');
  });
});

describe('WebSockets', () => {
  async function echoBackend(): Promise<number> {
    const wss = new WebSocketServer({port: 0, host: '127.0.0.1'});
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws, req) => ws.on('message', (m) => ws.send(`echo ${m} via ${req.headers.host}`)));
    kit.closeAfter(() => new Promise((r) => wss.close(r)));
    return (wss.address() as net.AddressInfo).port;
  }

  it('echoes over an HTTP/1.1 upgrade', async () => {
    h = await kit.start([route('app.localhost', [await echoBackend()])]);
    const ws = new WebSocket(`wss://127.0.0.1:${h.proxy.port}/ws`, wsOptions('app.localhost', h.ca));
    kit.closeAfter(() => ws.close());
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    ws.send('hi');
    const reply = await new Promise<string>((r) => ws.once('message', (m) => r(String(m))));
    // The authority sent on is the routed name and the port the client reached portico on.
    expect(reply).toBe(`echo hi via app.localhost:${h.proxy.port}`);
    expect(h.proxy.status()[0]!.targets[0]!.active).toBe(1);
  });

  it('echoes over HTTP/2 extended CONNECT (RFC 8441), bridged to an HTTP/1.1 upgrade', async () => {
    h = await kit.start([route('app.localhost', [await echoBackend()])]);
    const session = h2(h);
    const settings = await new Promise<http2.Settings>((r) => session.once('remoteSettings', r));
    expect(settings.enableConnectProtocol).toBe(true);
    const stream = session.request(
      {':method': 'CONNECT', ':protocol': 'websocket', ':path': '/ws', ':scheme': 'https', ':authority': 'app.localhost', 'sec-websocket-version': '13'},
      {endStream: false},
    );
    const headers = await new Promise<http2.IncomingHttpHeaders>((r) => stream.once('response', r));
    expect(headers[':status']).toBe(200);
    // One masked text frame, by hand: FIN+text, MASK+len, key, payload ^ key.
    const payload = Buffer.from('over-h2');
    const key = randomBytes(4);
    stream.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]));
    const frame = await new Promise<Buffer>((r) => stream.once('data', r));
    expect(frame[0]).toBe(0x81);
    expect(frame.subarray(2, 2 + frame[1]!).toString()).toBe(`echo over-h2 via app.localhost:${h!.proxy.port}`);
    stream.close();
  });
});

describe('streaming', () => {
  it('delivers server-sent events one by one, not buffered', async () => {
    let sendSecond!: () => void;
    const second = new Promise<void>((r) => (sendSecond = r));
    const b = await backend((_req, res) => {
      res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'});
      res.write('data: one\n\n');
      void second.then(() => res.end('data: two\n\n'));
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    const got = await new Promise<string>((resolve, reject) => {
      https
        .get(
          {host: '127.0.0.1', port: h!.proxy.port, path: '/events', servername: 'app.localhost', headers: {host: 'app.localhost'}, ca: h!.ca, agent: false},
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              text += d;
              if (text === 'data: one\n\n') sendSecond();
            });
            res.on('end', () => resolve(text));
          },
        )
        .on('error', reject);
    });
    expect(got).toBe('data: one\n\ndata: two\n\n');
  });

  it('streams a 20 MiB upload and a 20 MiB download intact', async () => {
    const download = randomBytes(20 * 1024 * 1024);
    const b = await backend((req, res) => {
      if (req.method === 'POST') {
        const hash = createHash('sha256');
        let size = 0;
        req.on('data', (d: Buffer) => {
          hash.update(d);
          size += d.length;
        });
        req.on('end', () => res.end(`${size} ${hash.digest('hex')}`));
      } else res.end(download);
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    const upload = randomBytes(20 * 1024 * 1024);
    const up = await request(h, 'app.localhost', '/up', {method: 'POST', body: upload});
    expect(up.body).toBe(`${upload.length} ${createHash('sha256').update(upload).digest('hex')}`);
    const hash = await new Promise<string>((resolve, reject) => {
      https
        .get(
          {host: '127.0.0.1', port: h!.proxy.port, path: '/down', servername: 'app.localhost', headers: {host: 'app.localhost'}, ca: h!.ca, agent: false},
          (res) => {
            const digest = createHash('sha256');
            res.on('data', (d: Buffer) => digest.update(d));
            res.on('end', () => resolve(digest.digest('hex')));
          },
        )
        .on('error', reject);
    });
    expect(hash).toBe(createHash('sha256').update(download).digest('hex'));
  });
});

describe('error pages', () => {
  it('404 lists the configured routes with their URLs', async () => {
    const b = await backend();
    h = await kit.start([route('app.localhost', [b.port]), route('api.localhost', [b.port], {path: '/v1'})]);
    const r = await request(h, 'nope.localhost', '/');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toContain(`https://app.localhost:${h.proxy.port}/`);
    expect(r.body).toContain(`https://api.localhost:${h.proxy.port}/v1`);
    expect(r.body).toContain('portico add nope.localhost');
  });

  it('502 names the target that refused and how to start it', async () => {
    const dead = await startBackend('dead');
    await dead.close();
    h = await kit.start([route('app.localhost', [dead.port])]);
    const r = await request(h, 'app.localhost', '/');
    expect(r.status).toBe(502);
    expect(r.body).toContain(`http://localhost:${dead.port}`);
    expect(r.body).toContain(`start your dev server on port ${dead.port}`);
  });

  it('504 when the backend accepts but never answers', async () => {
    const b = await backend(() => undefined);
    h = await kit.start([route('app.localhost', [b.port])], {backendTimeout: 300});
    const r = await request(h, 'app.localhost', '/');
    expect(r.status).toBe(504);
    expect(r.body).toContain('sent no response within 0.3 s');
  });

  it('508 when a route points back at portico itself', async () => {
    h = await kit.start([]);
    h.proxy.setRoutes([route('loop.localhost', [`https://127.0.0.1:${h.proxy.port}`])]);
    const r = await request(h, 'loop.localhost', '/');
    expect(r.status).toBe(508);
  });

  it('400 for absolute-form targets and CONNECT: never an open proxy', async () => {
    h = await kit.start([]);
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const s = tls.connect({host: '127.0.0.1', port: h!.proxy.port, servername: 'app.localhost', ca: h!.ca, ALPNProtocols: ['http/1.1']}, () =>
          s.write(text),
        );
        let out = '';
        s.on('data', (d) => (out += d));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      });
    expect(await raw('GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('failures', () => {
  it('shows a client an error when the backend resets mid-response, and keeps serving', async () => {
    const b = await backend((req, res) => {
      if (req.url === '/reset') {
        res.writeHead(200, {'content-length': '1000'});
        // Reset once the first bytes are on the wire: the client has begun a response that breaks.
        res.write('partial', () => req.socket.destroy());
      } else res.end('fine');
    });
    h = await kit.start([route('app.localhost', [b.port])]);
    await expect(request(h, 'app.localhost', '/reset')).rejects.toThrow();
    expect((await request(h, 'app.localhost', '/next')).body).toBe('fine');
  });

  it('answers plain HTTP on the TLS port with a redirect to https', async () => {
    h = await kit.start([]);
    const r = await new Promise<http.IncomingMessage>((resolve) =>
      http.get({host: '127.0.0.1', port: h!.proxy.port, path: '/a?b=1', headers: {host: 'app.localhost'}, agent: false}, resolve),
    );
    expect(r.statusCode).toBe(308);
    expect(r.headers.location).toBe(`https://app.localhost:${h.proxy.port}/a?b=1`);
  });

  it('finishes a slow in-flight request across a route change, and on close', async () => {
    // The backend holds each answer until the test releases it, so the route change and the close
    // happen while the request is in flight at the backend, whatever the machine's load.
    let release = gate();
    const b = await backend((_req, res) => void release.promise.then(() => res.end('slow done')));
    h = await kit.start([route('app.localhost', [b.port])]);
    const first = request(h, 'app.localhost', '/slow');
    await waitFor(() => b.hits === 1, {what: 'the first request to reach the backend'});
    h.proxy.setRoutes([route('other.localhost', [b.port])]);
    release.open();
    expect((await first).body).toBe('slow done');
    expect((await request(h, 'app.localhost', '/slow')).status).toBe(404);
    release = gate();
    h.proxy.setRoutes([route('app.localhost', [b.port])]);
    const second = request(h, 'app.localhost', '/slow');
    await waitFor(() => b.hits === 2, {what: 'the second request to reach the backend'});
    const closing = h.proxy.close(TIMEOUT.daemon);
    release.open();
    expect((await second).body).toBe('slow done');
    await closing;
  });

  it('closes without waiting out idle keep-alive connections (a browser tab left open)', async () => {
    const b = await backend();
    h = await kit.start([route('app.localhost', [b.port])]);
    const session = h2(h);
    await h2get(session, '/');
    // The grace period is far above the wait below: close must not wait it out for an idle session.
    let closed = false;
    void h.proxy.close(10 * TIMEOUT.daemon).then(() => (closed = true));
    await waitFor(() => closed, {what: 'close() to return with an idle HTTP/2 session open'});
    h = undefined;
  });
});
