import tls from 'node:tls';
import type {Harness} from '../helpers/harness.js';

/** Write raw bytes over TLS (h1) and collect whatever comes back until the server closes or `ms` passes. */
export function raw(h: Harness, data: string | Buffer, options: {servername?: string; ms?: number} = {}): Promise<{text: string; closed: boolean}> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: h.proxy.port,
      servername: options.servername ?? 'app.localhost',
      ca: h.ca,
      ALPNProtocols: ['http/1.1'],
    });
    let text = '';
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({text, closed});
    }, options.ms ?? 3000);
    socket.on('secureConnect', () => socket.write(data));
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({text, closed});
    });
  });
}
