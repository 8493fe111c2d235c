/**
 * The benchmark's backend, run as its own process so it never shares an event loop with a load
 * generator: `node dist/bench/backend.js <port>`. `/` answers ~100 bytes, `/1m` 1 MiB, `/gz/...` and
 * `/cached/...` the same ~100 KB of JSON (the compressed and cached scenarios; `/cached` says
 * `max-age=60`), and any Upgrade is a WebSocket echo (text frames, small payloads).
 */
import {createHash} from 'node:crypto';
import http from 'node:http';

const SMALL = Buffer.from('ok '.repeat(33));
const MIB = Buffer.alloc(1024 * 1024, 'x');
/** ~100 KB of JSON shaped like an API's list answer: compresses about as well as real ones (~10x). */
const JSON_BODY = Buffer.from(
  JSON.stringify(
    Array.from({length: 1000}, (_, i) => ({
      id: i,
      name: `item ${i}`,
      price: (i * 7.31) % 100,
      tags: ['alpha', 'beta', `t${i % 17}`],
      updated: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
    })),
  ),
);
const server = http.createServer({keepAliveTimeout: 60_000}, (req, res) => {
  if (req.url?.startsWith('/gz') || req.url?.startsWith('/cached')) {
    const cache = req.url.startsWith('/cached') ? 'public, max-age=60' : 'no-cache';
    res.writeHead(200, {'content-type': 'application/json', 'content-length': JSON_BODY.length, 'cache-control': cache, etag: '"bench-json-1"'});
    res.end(JSON_BODY);
  } else if (req.url === '/1m') {
    res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': MIB.length});
    res.end(MIB);
  } else {
    res.writeHead(200, {'content-type': 'text/plain', 'content-length': SMALL.length});
    res.end(SMALL);
  }
});
server.on('upgrade', (req, socket) => {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  (socket as import('node:net').Socket).setNoDelay(true);
  socket.on('data', (frame: Buffer) => {
    // Masked client text frame with a 7-bit length: unmask and echo unmasked.
    const len = frame[1]! & 0x7f;
    const mask = frame.subarray(2, 6);
    const payload = Buffer.from(frame.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4]!));
    socket.write(Buffer.concat([Buffer.from([0x81, len]), payload]));
  });
  socket.on('error', () => socket.destroy());
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as {port: number}).port}\n`);
});
