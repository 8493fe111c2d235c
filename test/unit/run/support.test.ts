import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {instanceEnv} from '../../../src/run/env.js';
import {crashReport, printer, restartDelay} from '../../../src/run/output.js';
import {BROWSER_RESTRICTED, pickPorts, type PortProbe} from '../../../src/run/ports.js';
import {parseInstances} from '../../../src/run/run.js';
import {statePaths} from '../../../src/state/home.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-run-unit-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

/** A fake OS handing out these ports in turn for port 0, with IPv6 loopback present or not. */
function fakeProbe(sequence: number[], v6 = true, takenOnV6: number[] = []): PortProbe {
  let i = 0;
  return async (host, port) => {
    if (host === '::1' && !v6) return undefined;
    if (port === 0) return host === '::1' ? 50_000 : sequence[i++];
    return host === '::1' && takenOnV6.includes(port) ? undefined : port;
  };
}

describe('ports for instances', () => {
  it('skips ports that browsers refuse to open, such as 6000, 6667 and 10080', async () => {
    expect(await pickPorts(2, fakeProbe([6000, 6667, 41000, 10080, 41001]))).toEqual([41000, 41001]);
    for (const port of [1, 7, 9, 6000, 6665, 6669, 6697, 10080]) expect(BROWSER_RESTRICTED.has(port)).toBe(true);
  });

  it('skips a port already taken on ::1, where Vite would listen', async () => {
    expect(await pickPorts(1, fakeProbe([41000, 41001], true, [41000]))).toEqual([41001]);
  });

  it('works on a machine without IPv6 loopback', async () => {
    expect(await pickPorts(2, fakeProbe([41000, 41001], false))).toEqual([41000, 41001]);
  });

  it('never hands out the same port twice', async () => {
    expect(await pickPorts(2, fakeProbe([41000, 41000, 41002]))).toEqual([41000, 41002]);
  });

  it('picks distinct free ports on the real loopback', async () => {
    const ports = await pickPorts(3);
    expect(new Set(ports).size).toBe(3);
  });
});

describe('environment of an instance', () => {
  const ca = '-----BEGIN CERTIFICATE-----\nPORTICO\n-----END CERTIFICATE-----\n';

  it('sets PORT, HOST on loopback, PORTICO_URL, PORTICO_INSTANCE and NODE_EXTRA_CA_CERTS to the portico CA', () => {
    const paths = statePaths(dir);
    writeFileSync(paths.caCert, ca);
    const env = instanceEnv({PATH: '/bin'}, paths, 41000, 'https://web.localhost:1443/', 2);
    expect(env).toEqual({
      PATH: '/bin',
      PORT: '41000',
      HOST: '127.0.0.1',
      PORTICO_URL: 'https://web.localhost:1443/',
      PORTICO_INSTANCE: '2',
      NODE_EXTRA_CA_CERTS: paths.caCert,
    });
  });

  it('keeps a CA bundle the user already trusts, combined with the portico CA in PORTICO_HOME', () => {
    const paths = statePaths(dir);
    writeFileSync(paths.caCert, ca);
    const corp = path.join(dir, 'corp.pem');
    writeFileSync(corp, '-----BEGIN CERTIFICATE-----\nCORP\n-----END CERTIFICATE-----\n');
    const env = instanceEnv({NODE_EXTRA_CA_CERTS: corp}, paths, 41000, 'https://web.localhost/');
    expect(path.dirname(env.NODE_EXTRA_CA_CERTS!)).toBe(dir);
    expect(env.NODE_EXTRA_CA_CERTS).not.toBe(corp);
    const bundle = readFileSync(env.NODE_EXTRA_CA_CERTS!, 'utf8');
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(bundle).toContain('CORP');
    expect(bundle).toContain('PORTICO');
    expect(readFileSync(corp, 'utf8')).not.toContain('PORTICO');
  });
});

describe('what portico run prints', () => {
  it('prefixes each line with name#i, coloured only on a terminal', () => {
    expect(printer('web', false).prefix(2)).toBe('web#2 │ ');
    const coloured = printer('web', true).prefix(1);
    expect(coloured).toContain('\u001b[');
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe('web#1 │ ');
    expect(printer('web', true).prefix(1)).not.toBe(printer('web', true).prefix(2));
  });

  it('reports a crash with its status and the last ten lines', () => {
    const tail = Array.from({length: 15}, (_, i) => `line ${i + 1}`);
    const report = crashReport('web#1', 3, tail);
    expect(report).toMatch(/^portico: web#1 exited with status 3\.\nlast output:\n {2}line 6\n/);
    expect(report).not.toContain('line 5\n');
    expect(report.endsWith('  line 15')).toBe(true);
    expect(crashReport('web#2', 137, [])).toBe('portico: web#2 exited with status 137 (signal 9).');
  });

  it('backs off restarts 1 s, 2 s, 4 s ... up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(restartDelay)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});

describe('--instances', () => {
  it('takes 1 to 32 and names a bad value in one sentence', () => {
    expect(parseInstances('3')).toBe(3);
    for (const bad of ['0', '33', 'two', '1.5', '-1', ''])
      expect(() => parseInstances(bad)).toThrow(`Invalid --instances \`${bad}\`: expected a whole number from 1 to 32.`);
  });
});
