import {mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {BEGIN, END, withBlock} from '../../../src/hosts/block.js';
import {syncHostsFile} from '../../../src/hosts/sync.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-hosts-'));
  file = path.join(dir, 'hosts');
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const original = '127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n# my own comment\n10.0.0.5 nas.lan\n';

describe('the hosts-file block', () => {
  it('adds 127.0.0.1 and ::1 lines for every route host in one marked block, keeping the rest byte for byte', () => {
    writeFileSync(file, original);
    expect(syncHostsFile(file, ['api.localhost', 'app.localhost', 'api.localhost'])).toBe(true);
    const content = readFileSync(file, 'utf8');
    expect(content.startsWith(original)).toBe(true);
    expect(content.slice(original.length)).toBe(`${BEGIN}\n127.0.0.1 api.localhost\n::1 api.localhost\n127.0.0.1 app.localhost\n::1 app.localhost\n${END}\n`);
  });

  it('does not rewrite the file when nothing changed', () => {
    writeFileSync(file, original);
    syncHostsFile(file, ['api.localhost']);
    // An mtime far in the past: any rewrite, however quick, moves it.
    const past = new Date('2001-01-01T00:00:00Z');
    utimesSync(file, past, past);
    expect(syncHostsFile(file, ['api.localhost'])).toBe(false);
    expect(statSync(file).mtimeMs).toBe(past.getTime());
  });

  it('replaces its block in place when routes change, and clean removes exactly the block', () => {
    writeFileSync(file, original);
    syncHostsFile(file, ['a.localhost']);
    writeFileSync(file, readFileSync(file, 'utf8') + '192.168.1.1 printer\n');
    syncHostsFile(file, ['b.localhost']);
    const content = readFileSync(file, 'utf8');
    expect(content).not.toContain('a.localhost');
    expect(content).toContain('127.0.0.1 b.localhost');
    expect(content.endsWith('192.168.1.1 printer\n')).toBe(true);
    syncHostsFile(file, []);
    expect(readFileSync(file, 'utf8')).toBe(`${original}192.168.1.1 printer\n`);
  });

  it('keeps CRLF line endings and writes its block with them', () => {
    const crlf = original.replace(/\n/g, '\r\n');
    writeFileSync(file, crlf);
    syncHostsFile(file, ['api.localhost']);
    const content = readFileSync(file, 'utf8');
    expect(content.startsWith(crlf)).toBe(true);
    expect(content.slice(crlf.length)).toBe(`${BEGIN}\r\n127.0.0.1 api.localhost\r\n::1 api.localhost\r\n${END}\r\n`);
    syncHostsFile(file, []);
    expect(readFileSync(file, 'utf8')).toBe(crlf);
  });

  it('adds a newline before its block when the file lacks a final one', () => {
    expect(withBlock('127.0.0.1 localhost', ['x.localhost'])).toBe(`127.0.0.1 localhost\n${BEGIN}\n127.0.0.1 x.localhost\n::1 x.localhost\n${END}\n`);
  });

  it('keeps the file mode', () => {
    writeFileSync(file, original, {mode: 0o644});
    syncHostsFile(file, ['api.localhost']);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });
});
