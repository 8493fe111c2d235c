import {createPublicKey, generateKeyPairSync} from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type {Duplex} from 'node:stream';
import {createProxyServer} from 'http-proxy-3';
import type {LoadedCA} from '../certs/ca.js';
import {issueLeaf} from '../certs/provider.js';
import {lanPage} from './page.js';
import type {LanShare} from './plan.js';
import {mobileconfig} from './profile.js';

export interface LanServerOptions {
  ca: LoadedCA;
  shares: readonly LanShare[];
  /** The LAN IPv4 address to listen on (never a wildcard: loopback stays portico's own). */
  address: string;
  /** Port on `address`; 0 picks one. */
  port: number;
  /** portico's HTTPS port on loopback, asked on every request (it follows `down`/`up`), and the localhost CA that verifies it. */
  porticoPort: () => number;
  rootCaPem: string;
}

export interface LanServer {
  port: number;
  close(): Promise<void>;
}

const DAY = 86400_000;

/**
 * One port on the LAN address answers two ways (the first byte tells): TLS, with one leaf from the LAN
 * CA naming every shared mDNS name and the address, forwarding each request and WebSocket to portico
 * on loopback under the route's own name; and plain HTTP, with the page that hands phones the CA. A request for
 * a name that was not shared gets 421, whatever the page says. By address, the first shared route.
 */
export async function startLanServer(options: LanServerOptions): Promise<LanServer> {
  const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'});
  const spkiDer = createPublicKey(privateKey).export({type: 'spki', format: 'der'});
  const names = options.shares.map((s) => s.name);
  const cert = issueLeaf(options.ca, names[0] ?? options.address, spkiDer, Date.now(), 820 * DAY, {names: names.slice(1), ips: [options.address]});
  const key = privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
  const byName = new Map(options.shares.map((s) => [s.name, s.host]));

  /** The route a LAN request names (its mDNS name, or the address for the first share), or undefined. */
  const routeOf = (req: http.IncomingMessage): {name: string; host: string | undefined} => {
    const name = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    return {name, host: name === options.address ? options.shares[0]?.host : byName.get(name)};
  };
  // Forwarding to portico on loopback under the route's own name (its Host, and so its SNI), verified
  // against the localhost CA: http-proxy-3, the owner's engine, for requests and WebSockets alike (a
  // phone's dev page keeps its hot reload).
  const proxy = createProxyServer({secure: true, xfwd: false});
  const target = () => ({protocol: 'https:', host: '127.0.0.1', port: options.porticoPort(), ca: options.rootCaPem});
  const NOT_ANSWERING = 'portico is not answering on this machine.\n';

  const forward = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const {name, host} = routeOf(req);
    if (!host) {
      res.writeHead(421, {'content-type': 'text/plain'}).end(`\`${name}\` is not shared on the LAN.\n`);
      return;
    }
    proxy.web(req, res, {target: target(), headers: {host}}, () =>
      res.headersSent ? res.destroy() : res.writeHead(502, {'content-type': 'text/plain'}).end(NOT_ANSWERING),
    );
  };
  const tlsServer = https.createServer({cert, key}, forward);
  tlsServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const {name, host} = routeOf(req);
    if (!host) {
      const body = `\`${name}\` is not shared on the LAN.\n`;
      socket.end(
        `HTTP/1.1 421 Misdirected Request\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    proxy.ws(req, socket, head, {target: target(), headers: {host}}, () => {
      if (socket.writable)
        socket.end(
          `HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: ${NOT_ANSWERING.length}\r\nConnection: close\r\n\r\n${NOT_ANSWERING}`,
        );
    });
  });
  tlsServer.on('tlsClientError', () => {});

  const urls = [...names.map((n) => `https://${n}:PORT/`), `https://${options.address}:PORT/`];
  const pageServer = http.createServer((req, res) => {
    const port = String((outer.address() as net.AddressInfo).port);
    if (req.url === '/portico-lan.mobileconfig') {
      res
        .writeHead(200, {'content-type': 'application/x-apple-aspen-config', 'content-disposition': 'attachment; filename="portico-lan.mobileconfig"'})
        .end(mobileconfig(options.ca.certPem, options.ca.commonName));
    } else if (req.url === '/portico-lan-ca.crt') {
      res
        .writeHead(200, {'content-type': 'application/x-x509-ca-cert'})
        .end(Buffer.from(options.ca.certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
    } else if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end(
        lanPage(
          urls.map((u) => u.replace('PORT', port)),
          options.ca.commonName,
        ),
      );
    } else {
      res.writeHead(404, {'content-type': 'text/plain'}).end('Not found.\n');
    }
  });

  const outer = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      // 0x16: a TLS handshake record; the TLS socket drains the buffered chunk itself (resuming would lose it).
      if (first[0] === 0x16) return void tlsServer.emit('connection', socket);
      pageServer.emit('connection', socket);
      socket.resume();
    });
  });
  await new Promise<void>((resolve, reject) => outer.once('error', reject).listen(options.port, options.address, resolve));
  return {
    port: (outer.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        tlsServer.closeAllConnections();
        pageServer.closeAllConnections();
        outer.close(() => resolve());
      }),
  };
}
