import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {findFirefoxProfiles, parseIni, profilesFromIni} from '../../../src/trust/firefox.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'portico-ff-'));
});
afterEach(() => rmSync(home, {recursive: true, force: true}));

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), {recursive: true});
  writeFileSync(file, text);
}

describe('Firefox profiles.ini', () => {
  it('reads relative and absolute profile paths and the default of each installation', () => {
    const ini = parseIni(`[Install4F96D1932A9F858E]
Default=Profiles/abc.default-release
Locked=1

[Profile1]
Name=work
IsRelative=0
Path=/srv/profiles/work = mine

[Profile0]
Name=default-release
IsRelative=1
Path=Profiles/abc.default-release
Default=1

[General]
StartWithLastProfile=1
Version=2
`);
    expect(profilesFromIni(ini, '/home/me/.mozilla/firefox')).toEqual([
      {name: 'abc.default-release', dir: '/home/me/.mozilla/firefox/Profiles/abc.default-release'},
      {name: 'work', dir: '/srv/profiles/work = mine'},
      {name: 'default-release', dir: '/home/me/.mozilla/firefox/Profiles/abc.default-release'},
    ]);
  });

  it('finds profiles in every Firefox root, including ones never started, and lists each once', () => {
    const elsewhere = path.join(home, 'elsewhere', 'dev');
    mkdirSync(elsewhere, {recursive: true});
    write(
      path.join(home, '.mozilla/firefox/profiles.ini'),
      `[Profile0]\nName=default\nIsRelative=1\nPath=x.default\n\n[Profile1]\nName=dev\nIsRelative=0\nPath=${elsewhere}\n[InstallABC]\nDefault=x.default\n`,
    );
    write(path.join(home, '.mozilla/firefox/x.default/cert9.db'), '');
    write(path.join(home, '.config/mozilla/firefox/profiles.ini'), '[Profile0]\nName=xdg\nIsRelative=1\nPath=p.xdg\n');
    mkdirSync(path.join(home, '.config/mozilla/firefox/p.xdg'), {recursive: true});
    write(path.join(home, 'snap/firefox/common/.mozilla/firefox/profiles.ini'), '[Profile0]\nName=snappy\nIsRelative=1\nPath=s.default\n');
    write(path.join(home, 'snap/firefox/common/.mozilla/firefox/s.default/cert9.db'), '');
    write(path.join(home, '.var/app/org.mozilla.firefox/.mozilla/firefox/installs.ini'), '[ABCDEF]\nDefault=f.default\nLocked=1\n');
    mkdirSync(path.join(home, '.var/app/org.mozilla.firefox/.mozilla/firefox/f.default'), {recursive: true});
    // A profile directory profiles.ini no longer names, but which holds a database.
    write(path.join(home, '.mozilla/firefox/orphan.old/cert9.db'), '');
    // Named but deleted: nothing to trust.
    write(
      path.join(home, '.mozilla/firefox/profiles.ini'),
      `[Profile0]\nName=default\nIsRelative=1\nPath=x.default\n\n[Profile1]\nName=dev\nIsRelative=0\nPath=${elsewhere}\n[Profile2]\nName=gone\nIsRelative=1\nPath=gone.default\n[InstallABC]\nDefault=x.default\n`,
    );

    expect(findFirefoxProfiles(home, 'linux')).toEqual([
      {label: 'Firefox profile default', dir: path.join(home, '.mozilla/firefox/x.default'), fresh: false},
      {label: 'Firefox profile dev', dir: elsewhere, fresh: true},
      {label: 'Firefox profile orphan.old', dir: path.join(home, '.mozilla/firefox/orphan.old'), fresh: false},
      {label: 'Firefox profile xdg', dir: path.join(home, '.config/mozilla/firefox/p.xdg'), fresh: true},
      {label: 'Firefox (snap) profile snappy', dir: path.join(home, 'snap/firefox/common/.mozilla/firefox/s.default'), fresh: false},
      {label: 'Firefox (flatpak) profile f.default', dir: path.join(home, '.var/app/org.mozilla.firefox/.mozilla/firefox/f.default'), fresh: true},
    ]);
  });
});
