import http from 'node:http';
import {readFileSync} from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import WebSocket, {WebSocketServer} from 'ws';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, daemonPort, tempHome} from '../helpers/cli.js';
import {waitFor} from '../helpers/wait.js';
import {daemonPid, fds, rss} from './daemon-probe.js';
import {wsOptions} from '../helpers/ws.js';

let t: ReturnType<typeof tempHome>;
let server: http.Server;
let port: number;
let ca: Buffer;

beforeAll(async () => {
  t = tempHome();
  server = http.createServer({keepAliveTimeout: 120_000}, (_req, res) => res.end('ok'));
  const wss = new WebSocketServer({server});
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await cli(['up', '--port', '0'], {env: t.env});
  await cli(['add', 'load.localhost', String((server.address() as net.AddressInfo).port)], {env: t.env});
  port = await daemonPort(t.env);
  ca = readFileSync(path.join(t.home, 'ca.pem'));
});
afterAll(async () => {
  await t.cleanup();
  server.closeAllConnections();
  server.close();
});

/** One keep-alive TLS connection that has completed one request; resolves with the socket left open. */
function keepAlive(): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({host: '127.0.0.1', port, servername: 'load.localhost', ca, ALPNProtocols: ['http/1.1']}, () =>
      socket.write('GET / HTTP/1.1\r\nHost: load.localhost\r\n\r\n'),
    );
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.endsWith('ok')) {
        if (!text.startsWith('HTTP/1.1 200')) reject(new Error(text.split('\r\n')[0]));
        else resolve(socket);
      }
    });
    socket.on('error', reject);
  });
}

function webSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, wsOptions('load.localhost', ca));
    ws.once('open', () => {
      ws.send('hello');
      ws.once('message', (m) => (String(m) === 'hello' ? resolve(ws) : reject(new Error(String(m)))));
    });
    ws.once('error', reject);
  });
}

async function inBatches<T>(count: number, batch: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += batch) out.push(...(await Promise.all(Array.from({length: Math.min(batch, count - i)}, make))));
  return out;
}

describe('load held by one daemon', () => {
  it('serves 5,000 concurrent keep-alive connections and 1,000 open WebSockets, then releases every socket', async () => {
    const pid = daemonPid(t.home);
    const fdsBefore = fds(pid);
    const rssBefore = rss(pid);
    const sockets = await inBatches(5000, 250, keepAlive);
    const sockets2 = await inBatches(1000, 100, webSocket);
    const fdsDuring = fds(pid);
    const rssDuring = rss(pid);
    // Each client connection is one fd on the proxy side (plus backend connections for the WebSockets).
    expect(fdsDuring).toBeGreaterThanOrEqual(fdsBefore + 6000);
    for (const s of sockets) s.destroy();
    for (const ws of sockets2) ws.terminate();
    await waitFor(() => fds(pid) <= fdsBefore + 5, {
      what: 'the daemon to close the connections it no longer needs',
      detail: () => `${fds(pid)} fds open, ${fdsBefore} before`,
    });
    const rssAfter = rss(pid);
    console.log(`load: fds ${fdsBefore} -> ${fdsDuring} -> ${fds(pid)}; RSS ${rssBefore.toFixed(1)} -> ${rssDuring.toFixed(1)} -> ${rssAfter.toFixed(1)} MB`);
    expect(rssDuring).toBeLessThan(600);
  });
});
