import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type {Target} from '../routes/types.js';

/** Result of one probe: undefined when healthy, else a short error (`ECONNREFUSED`, `HTTP 500`, `timeout`). */
export type ProbeResult = string | undefined;

/** Connect to host:port once; undefined when it accepts, else a short error (`ECONNREFUSED`, `timeout`). */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({host, port});
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('timeout'));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/** TCP connect to each dial address in turn; healthy when any accepts. */
export async function probeTcp(target: Target, timeoutMs: number): Promise<ProbeResult> {
  let lastError = 'unreachable';
  for (const host of target.dial) {
    const error = await tcpConnect(host, target.port, timeoutMs);
    if (error === undefined) return undefined;
    lastError = error;
  }
  return lastError;
}

/** `GET path` with the target's own Host; 2xx and 3xx are healthy. */
export async function probeHttp(target: Target, path: string, timeoutMs: number): Promise<ProbeResult> {
  let lastError = 'unreachable';
  for (const host of target.dial) {
    const error = await new Promise<ProbeResult>((resolve) => {
      const client = target.protocol === 'https:' ? https : http;
      const req = client.request(
        {host, port: target.port, path, method: 'GET', agent: false, timeout: timeoutMs, headers: {host: `${target.hostname}:${target.port}`, 'user-agent': 'portico-health'}, rejectUnauthorized: false},
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          resolve(status >= 200 && status < 400 ? undefined : `HTTP ${status}`);
        },
      );
      req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), {code: 'timeout'})));
      req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end();
    });
    if (error === undefined) return undefined;
    lastError = error;
    // An HTTP answer means the address is right; the other family would say the same.
    if (lastError.startsWith('HTTP ')) break;
  }
  return lastError;
}
