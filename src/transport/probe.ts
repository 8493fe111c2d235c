import http from 'node:http';
import type net from 'node:net';
import type {Target} from '../routes/types.js';
import {Transport} from './agents.js';
import {connectOnce, dial} from './dial.js';

/** Result of one probe: undefined when healthy, else a short error (`ECONNREFUSED`, `HTTP 500`, `timeout`). */
export type ProbeResult = string | undefined;

const code = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** Connect to host:port once; undefined when it accepts, else a short error (`ECONNREFUSED`, `timeout`). */
export async function tcpConnect(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  try {
    (await connectOnce({url: `http://${host}:${port}`, protocol: 'http:', hostname: host, port, dial: [host]}, host, timeoutMs)).destroy();
    return undefined;
  } catch (error) {
    return code(error) === 'ECONNTIMEOUT' ? 'timeout' : code(error);
  }
}

/** Undefined when a port on loopback accepts on 127.0.0.1 or ::1 (a dev server binds one or the other). */
export function probePort(port: number, timeoutMs: number): Promise<ProbeResult> {
  return probeTcpOnce({url: `http://localhost:${port}`, protocol: 'http:', hostname: 'localhost', port, dial: ['127.0.0.1', '::1']}, timeoutMs);
}

/** TCP (TLS for https) connect to the target; healthy when either family accepts. */
export async function probeTcp(target: Target, timeoutMs: number, transport: Transport): Promise<ProbeResult> {
  try {
    (await dial(transport, target, timeoutMs)).destroy();
    return undefined;
  } catch (error) {
    return code(error) === 'ECONNTIMEOUT' ? 'timeout' : code(error);
  }
}

/** probeTcp for a caller without a proxy of its own (`add`, `doctor`, `run`): a transport for this probe alone. */
export async function probeTcpOnce(target: Target, timeoutMs: number): Promise<ProbeResult> {
  const transport = new Transport();
  try {
    return await probeTcp(target, timeoutMs, transport);
  } finally {
    transport.close();
  }
}

/** `GET path` with the target's own Host on a fresh connection; 2xx and 3xx are healthy. */
export async function probeHttp(target: Target, path: string, timeoutMs: number, transport: Transport): Promise<ProbeResult> {
  let socket: net.Socket;
  try {
    socket = await dial(transport, target, timeoutMs);
  } catch (error) {
    return code(error) === 'ECONNTIMEOUT' ? 'timeout' : code(error);
  }
  return new Promise<ProbeResult>((resolve) => {
    const req = http.request(
      {
        createConnection: () => socket,
        path,
        method: 'GET',
        timeout: timeoutMs,
        headers: {host: `${target.hostname}:${target.port}`, 'user-agent': 'portico-health', connection: 'close'},
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status >= 200 && status < 400 ? undefined : `HTTP ${status}`);
        socket.destroy();
      },
    );
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), {code: 'timeout'})));
    req.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(err.code ?? err.message);
    });
    req.end();
  });
}
