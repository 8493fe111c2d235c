/**
 * The floor a Node proxy on the owner's engine can reach: `node dist/bench/node-floor.js <backend
 * port> <port> <cert> <key>`. One process, Node's HTTPS server (h2 and http/1.1 by ALPN, as portico
 * listens) and http-proxy-3 over a keep-alive agent (as portico forwards), and nothing else: no
 * routing, no passes, no events, no health. `npm run bench` runs it as the peer `node`, so every
 * run shows how much of portico's cost per request is Node's and the engine's, and how much is
 * portico's own (portico/node).
 */
import http from 'node:http';
import http2 from 'node:http2';
import {readFileSync} from 'node:fs';
import {createProxyServer} from 'http-proxy-3';

const [backendPort, port, certFile, keyFile] = process.argv.slice(2);
const target = `http://127.0.0.1:${backendPort}`;
const agent = new http.Agent({keepAlive: true, maxSockets: 128, maxFreeSockets: 128, scheduling: 'lifo'});
const proxy = createProxyServer({target, agent, xfwd: true});
proxy.on('error', (_error, _req, res) => {
  const out = res as http.ServerResponse;
  if ('writeHead' in out && !out.headersSent) out.writeHead(502).end();
  else (res as {destroy?: () => void}).destroy?.();
});
const server = http2.createSecureServer({cert: readFileSync(certFile!), key: readFileSync(keyFile!), allowHTTP1: true}, (req, res) =>
  proxy.web(req as unknown as http.IncomingMessage, res as unknown as http.ServerResponse),
);
server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => proxy.ws(req, socket, head));
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`${port}\n`));
process.on('SIGTERM', () => process.exit(0));
