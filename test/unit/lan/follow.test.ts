import {createPublicKey, generateKeyPairSync} from 'node:crypto';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ensureCA, type LoadedCA} from '../../../src/certs/ca.js';
import {issueLeaf} from '../../../src/certs/provider.js';
import {ensureLanCA} from '../../../src/lan/ca.js';
import {currentPorticoPort} from '../../../src/lan/portico-port.js';
import {startLanServer, type LanServer} from '../../../src/lan/server.js';
import {statePaths, type StatePaths} from '../../../src/state/home.js';
import {writeLastPort} from '../../../src/state/last-port.js';

let dir: string;
let paths: StatePaths;
const closers: Array<() => Promise<void>> = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-lan-follow-'));
  paths = statePaths(path.join(dir, 'home'));
  mkdirSync(paths.home, {recursive: true});
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  rmSync(dir, {recursive: true, force: true});
});

/** A stand-in for portico on loopback: TLS with a leaf from the localhost CA for app.localhost, answering with its name. */
async function portico(root: LoadedCA, name: string): Promise<{port: number; close: () => Promise<void>}> {
  const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'});
  const cert = issueLeaf(root, 'app.localhost', createPublicKey(privateKey).export({type: 'spki', format: 'der'}), Date.now(), 86400_000);
  const server = https.createServer({cert, key: privateKey.export({type: 'pkcs8', format: 'pem'}).toString()}, (req, res) =>
    res.end(`${name} ${req.headers.host}`),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {port: (server.address() as AddressInfo).port, close};
}

/** A phone's request by the shared name, trusting only the LAN CA. */
function phoneGet(lan: LanServer, caPem: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    https
      .get({host: '127.0.0.1', port: lan.port, path: '/', servername: 'app.local', headers: {host: 'app.local'}, ca: caPem, agent: false}, (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (c: string) => (body += c))
          .on('end', () => resolve({status: res.statusCode!, body}));
      })
      .on('error', reject);
  });
}

function writeDaemonJson(port: number): void {
  writeFileSync(paths.daemon, JSON.stringify({pid: process.pid, version: '0.1.0', port, socket: paths.socket, startedAt: Date.now()}));
}

describe('the LAN listener after portico moves to another port', () => {
  it('forwards to the port portico runs on now, without `lan on` again', async () => {
    const root = await ensureCA(paths);
    const {ca} = ensureLanCA(paths, ['app.local'], '127.0.0.1');
    const first = await portico(root, 'first');
    writeDaemonJson(first.port);
    const lan = await startLanServer({
      ca,
      shares: [{host: 'app.localhost', name: 'app.local'}],
      address: '127.0.0.1',
      port: 0,
      porticoPort: () => currentPorticoPort(paths, first.port),
      rootCaPem: root.certPem,
    });
    closers.push(() => lan.close());
    expect(await phoneGet(lan, ca.certPem)).toEqual({status: 200, body: 'first app.localhost'});

    // `portico down && portico up --port N`: the old port stops answering, daemon.json names the new one.
    await first.close();
    const second = await portico(root, 'second');
    closers.push(second.close);
    writeDaemonJson(second.port);
    expect(await phoneGet(lan, ca.certPem)).toEqual({status: 200, body: 'second app.localhost'});
  });

  it('uses the port portico ran on last while daemon.json is gone, and the one it started with before either exists', () => {
    expect(currentPorticoPort(paths, 1443)).toBe(1443);
    writeLastPort(paths, 2443);
    expect(currentPorticoPort(paths, 1443)).toBe(2443);
    writeDaemonJson(3443);
    expect(currentPorticoPort(paths, 1443)).toBe(3443);
  });
});
