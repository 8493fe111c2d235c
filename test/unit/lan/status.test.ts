import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {lanCheck} from '../../../src/cli/doctor-lan.js';
import {formatListing, listRoutes} from '../../../src/cli/routes.js';
import {writeLanState} from '../../../src/lan/state.js';
import {lanSummary} from '../../../src/lan/summary.js';
import {statePaths, type StatePaths} from '../../../src/state/home.js';
import {exited} from '../../helpers/wait.js';

let dir: string;
let paths: StatePaths;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-lan-status-'));
  paths = statePaths(path.join(dir, 'home'));
  mkdirSync(paths.home, {recursive: true});
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const shares = [{host: 'app.localhost', name: 'app.local'}];

/** A pid that was a real process and has exited: a listener that died without clearing lan.json. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
  await exited(child, {what: 'a short-lived node process'});
  return child.pid!;
}

describe('LAN sharing in ls and doctor', () => {
  it('ls --json has no lan key while sharing is off, and a lan object after the documented keys while it is on', async () => {
    const off = await listRoutes(paths);
    expect(Object.keys(off.json)).toEqual(['daemon', 'ca', 'routes']);
    expect(formatListing(off)).not.toContain('LAN');

    // This test process stands in for the LAN listener: lan.json names a live pid.
    writeLanState(paths.home, {pid: process.pid, address: '192.168.1.20', port: 8443, shares});
    const on = await listRoutes(paths);
    expect(Object.keys(on.json)).toEqual(['daemon', 'ca', 'routes', 'lan']);
    expect(on.json.lan).toEqual({
      address: '192.168.1.20',
      port: 8443,
      page: 'http://192.168.1.20:8443/',
      shares: [{host: 'app.localhost', name: 'app.local', url: 'https://app.local:8443/'}],
    });
    expect(formatListing(on)).toContain('LAN: listening beyond loopback on 192.168.1.20:8443: app.local -> app.localhost');
  });

  it('a listener that died leaves no lan object in ls, and doctor warns about its stale lan.json', async () => {
    writeLanState(paths.home, {pid: await deadPid(), address: '192.168.1.20', port: 8443, shares});
    expect(lanSummary(paths.home)).toBeUndefined();
    expect((await listRoutes(paths)).json.lan).toBeUndefined();
    const check = lanCheck(paths.home);
    expect(check).toMatchObject({name: 'lan', ok: true, warn: true});
    expect(check.detail).toMatch(/is not running: nothing listens beyond loopback/);
    expect(check.fix).toContain('portico lan on');
  });

  it('doctor says sharing is off, or on with the address and a live listener', () => {
    expect(lanCheck(paths.home)).toEqual({name: 'lan', ok: true, detail: 'sharing off: portico listens on loopback only'});
    writeLanState(paths.home, {pid: process.pid, address: '192.168.1.20', port: 8443, shares});
    expect(lanCheck(paths.home)).toEqual({
      name: 'lan',
      ok: true,
      detail: `sharing on: listening beyond loopback on 192.168.1.20:8443 (listener pid ${process.pid} alive) for app.local -> app.localhost`,
    });
  });
});
