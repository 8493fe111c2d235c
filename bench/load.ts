import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import {randomBytes} from 'node:crypto';
import {has, run} from './util.js';
import {HOST, type Running} from './peers.js';

const url = (r: Running, path = '/') => `${r.tls ? 'https' : 'http'}://127.0.0.1:${r.port}${path}`;

/** wrk, HTTP/1.1 keep-alive: requests/s, transfer MB/s and the requests completed. */
export async function wrk(
  r: Running,
  seconds: number,
  connections: number,
  path = '/',
  headers: string[] = [],
): Promise<{rps: number; mbps: number; requests: number}> {
  const out = (
    await run('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '-H', `Host: ${HOST}`, ...headers.flatMap((h) => ['-H', h]), url(r, path)], {
      timeoutMs: (seconds + 30) * 1000,
    })
  ).stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const t = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(out);
  const mbps = t ? Number(t[1]) * ({KB: 1 / 1024, MB: 1, GB: 1024} as Record<string, number>)[t[2]!]! : Number.NaN;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  return {rps, mbps, requests};
}

/** h2load, HTTP/2: requests/s and the requests completed. */
export async function h2load(r: Running, seconds: number): Promise<{rps: number; requests: number}> {
  const out = (await run('h2load', ['-c50', '-m10', '-t2', '-D', String(seconds), '-H', `:authority: ${HOST}`, url(r)], {timeoutMs: (seconds + 30) * 1000}))
    .stdout;
  return {
    rps: Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)?.[1] ?? Number.NaN),
    requests: Number(/requests: \d+ total, \d+ started, (\d+) done/.exec(out)?.[1] ?? Number.NaN),
  };
}

export const loadTools = {wrk: has('wrk'), h2load: has('h2load')};

/** Sequential requests on one keep-alive connection: p50 and p99 in ms. */
export async function latency(r: Running, count: number, ca?: string): Promise<{p50: number; p99: number}> {
  const agent = r.tls ? new https.Agent({keepAlive: true, maxSockets: 1, rejectUnauthorized: false}) : new http.Agent({keepAlive: true, maxSockets: 1});
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = (r.tls ? https : http).request(
        {host: '127.0.0.1', port: r.port, path: '/', agent, headers: {host: HOST}, servername: r.tls ? HOST : undefined, ca},
        (res) => {
          res.resume();
          res.on('end', () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
        },
      );
      req.on('error', reject);
      req.end();
    });
  for (let i = 0; i < Math.min(200, count); i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push(await once());
  agent.destroy();
  samples.sort((a, b) => a - b);
  return {p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]!};
}

/** WebSocket echo on one connection for `seconds`: messages per second (a hand-rolled client). */
export async function wsEcho(r: Running, seconds: number): Promise<number> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const handshake = `GET /ws HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    const s = r.tls
      ? tls.connect({host: '127.0.0.1', port: r.port, servername: HOST, rejectUnauthorized: false, ALPNProtocols: ['http/1.1']})
      : net.connect(r.port, '127.0.0.1');
    s.once(r.tls ? 'secureConnect' : 'connect', () => s.write(handshake));
    s.once('data', (d: Buffer) => (/^HTTP\/1\.1 101/.test(d.toString('latin1')) ? resolve(s) : reject(new Error(d.toString('latin1').split('\r\n')[0]))));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  const payload = Buffer.from('ping-portico-bench');
  const mask = Buffer.from([1, 2, 3, 4]);
  const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
  let count = 0;
  const end = Date.now() + seconds * 1000;
  await new Promise<void>((resolve) => {
    socket.on('data', () => {
      count++;
      if (Date.now() < end) socket.write(frame);
      else resolve();
    });
    socket.write(frame);
  });
  socket.destroy();
  return count / seconds;
}
