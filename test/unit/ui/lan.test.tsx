import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import QRCode from 'qrcode';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Status} from '../../../src/daemon/protocol.js';
import {clearLanState, writeLanState} from '../../../src/lan/state.js';
import {statePaths, type StatePaths} from '../../../src/state/home.js';
import {App} from '../../../src/ui/App.js';
import {DashModel} from '../../../src/ui/model.js';
import {daemonSource} from '../../../src/ui/source.js';
import {screen} from '../../helpers/ink.js';

const status: Status = {
  version: '0.1.0',
  pid: 4242,
  port: 1443,
  startedAt: Date.now() - 5_000,
  ca: '/home/me/.portico/ca.pem',
  notices: [],
  routes: [
    {
      host: 'app.localhost',
      path: '/',
      url: 'https://app.localhost:1443/',
      strategy: 'round-robin',
      stripPrefix: false,
      targets: [{target: 'http://localhost:5173', healthy: true, active: 0, requests: 0, weight: 1}],
    },
  ],
};

let dir: string;
let paths: StatePaths;
let cleanup: (() => void) | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-dash-lan-'));
  paths = statePaths(path.join(dir, 'home'));
  mkdirSync(paths.home, {recursive: true});
});
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
  rmSync(dir, {recursive: true, force: true});
});

/** lan.json as the LAN listener writes it; this test process stands in for the listener (its pid is alive). */
function shareOnLan(): void {
  writeLanState(paths.home, {
    pid: process.pid,
    address: '192.168.1.20',
    port: 8443,
    shares: [
      {host: 'app.localhost', name: 'app.local'},
      {host: 'api.localhost', name: 'api.local'},
    ],
  });
}

async function mount() {
  const model = new DashModel({throttleMs: 5});
  model.setStatus(status);
  model.setLan(await daemonSource(paths).lan!());
  const app = render(<App model={model} trust="trusted" />);
  cleanup = () => {
    app.unmount();
    model.dispose();
  };
  return {model, ...app, ...screen(app)};
}

describe('the dashboard and LAN sharing', () => {
  it('says in the header that portico listens beyond loopback, with the address and how many routes are shared', async () => {
    shareOnLan();
    const {shows} = await mount();
    const frame = await shows('LAN 192.168.1.20:8443');
    expect(frame).toMatch(
      /portico https:\/\/localhost:1443 [^\n]*\nLAN 192\.168\.1\.20:8443 · 2 routes shared \(portico listens beyond loopback; l shows the QR code\)/,
    );
    expect(frame).toContain('l LAN QR');
  });

  it('says nothing about the LAN while sharing is off, and `l` then says how to turn it on', async () => {
    const {lastFrame, shows, press} = await mount();
    await shows('app.localhost');
    expect(lastFrame()).not.toContain('LAN');
    await press('l');
    await shows('LAN sharing is off: `portico lan on`');
  });

  it('opens the QR code of the CA page with l, lists the shared URLs, and esc closes it', async () => {
    shareOnLan();
    const {lastFrame, shows, press} = await mount();
    await shows('2 routes shared');
    await press('l');
    const frame = await shows('http://192.168.1.20:8443/');
    const qr = await QRCode.toString('http://192.168.1.20:8443/', {type: 'utf8'});
    for (const line of qr.split('\n').filter((l) => l.trim() !== '')) expect(frame).toContain(line.trimEnd());
    expect(frame).toMatch(/https:\/\/app\.local:8443\/ -> app\.localhost/);
    expect(frame).toMatch(/https:\/\/api\.local:8443\/ -> api\.localhost/);
    expect(frame).toContain('esc back');
    await press('\u001B');
    await shows('q quit');
    expect(lastFrame()).not.toContain('Scan with the phone');
  });

  it('drops the LAN line once the listener has stopped (lan.json gone)', async () => {
    shareOnLan();
    const {model, lastFrame, shows} = await mount();
    await shows('2 routes shared');
    clearLanState(paths.home);
    model.setLan(await daemonSource(paths).lan!());
    await shows((frame) => !frame.includes('routes shared'));
    expect(lastFrame()).toContain('https://localhost:1443');
  });
});
