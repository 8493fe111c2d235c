import net from 'node:net';
import {UserError} from '../errors.js';

/** Ports browsers refuse to load (Chromium's and Firefox's "unsafe port" lists). */
export const BROWSER_RESTRICTED = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137,
  139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Bind host:port (0: any) and release it; the port bound, or undefined when it cannot be bound. */
export type PortProbe = (host: string, port: number) => Promise<number | undefined>;

export function listenable(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({host, port, exclusive: true}, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * `count` free ports, free on both 127.0.0.1 and ::1 (a dev server may bind either), none that
 * browsers refuse, all different.
 */
export async function pickPorts(count: number, probe: PortProbe = listenable): Promise<number[]> {
  const ports: number[] = [];
  // Only check once whether this machine has IPv6 loopback at all.
  let hasV6: boolean | undefined;
  for (let tries = 0; ports.length < count && tries < count * 50; tries++) {
    const port = await probe('127.0.0.1', 0);
    if (port === undefined || BROWSER_RESTRICTED.has(port) || ports.includes(port)) continue;
    if ((await probe('::1', port)) === undefined) {
      hasV6 ??= (await probe('::1', 0)) !== undefined;
      if (hasV6) continue;
    }
    ports.push(port);
  }
  if (ports.length < count) throw new UserError(`Could not find ${count} free port${count > 1 ? 's' : ''} on loopback for \`portico run\`.`);
  return ports;
}

/** Is `port` still free on 127.0.0.1 (for a restart on the same port)? */
export async function stillFree(port: number, probe: PortProbe = listenable): Promise<boolean> {
  return (await probe('127.0.0.1', port)) !== undefined;
}
