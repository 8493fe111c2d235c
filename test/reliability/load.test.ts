import WebSocket, {WebSocketServer} from 'ws';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {waitFor} from '../helpers/wait.js';
import {inBatches, keepAlive, loadSetup, type LoadSetup} from './clients.js';
import {daemonPid, fds, rss} from './daemon-probe.js';
import {wsOptions} from '../helpers/ws.js';

let setup: LoadSetup;
let t: LoadSetup['t'];
let port: number;
let ca: Buffer;

beforeAll(async () => {
  setup = await loadSetup([], [['load.localhost']], (server) => {
    const wss = new WebSocketServer({server});
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
  });
  ({t, port, ca} = setup);
});
afterAll(async () => {
  await setup?.close();
});

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

describe('load held by one daemon', () => {
  it('serves 5,000 concurrent keep-alive connections and 1,000 open WebSockets, then releases every socket', async () => {
    const pid = daemonPid(t.home);
    const fdsBefore = fds(pid);
    const rssBefore = rss(pid);
    const sockets = await inBatches(5000, 250, () => keepAlive(port, ca, 'load.localhost'));
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
