import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';

/** One Firefox profile directory, as Firefox itself would find it. */
export interface FirefoxProfile {
  /** e.g. `Firefox profile default-release`, `Firefox (snap) profile work`. */
  label: string;
  dir: string;
  /** The profile was never started: it has no NSS database (cert9.db) yet. */
  fresh: boolean;
}

/** Where each Firefox build keeps profiles.ini, labelled for the report. */
export function firefoxRoots(home: string, platform: NodeJS.Platform = process.platform): Array<[label: string, dir: string]> {
  if (platform === 'darwin') return [['Firefox', path.join(home, 'Library', 'Application Support', 'Firefox')]];
  return [
    ['Firefox', path.join(home, '.mozilla', 'firefox')],
    // Firefox >= 147 (and Debian's firefox-esr 153) follow XDG: ~/.config/mozilla/firefox.
    ['Firefox', path.join(home, '.config', 'mozilla', 'firefox')],
    ['Firefox (snap)', path.join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox')],
    ['Firefox (flatpak)', path.join(home, '.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox')],
  ];
}

export type IniSections = Map<string, Map<string, string>>;

/**
 * profiles.ini as Firefox's own INI reader takes it: `[Section]` headers, `key=value` lines (value
 * kept verbatim after the first `=`, so paths with `=` or spaces survive), `;`/`#` comments.
 */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

/**
 * Profile directories named by one profiles.ini: every `[ProfileN]` (`Path=` relative to the root
 * when `IsRelative=1`, absolute otherwise) and every `[Install…]` `Default=` (the profile each
 * installation starts with; usually also a `[ProfileN]`, but not always).
 */
export function profilesFromIni(ini: IniSections, root: string): Array<{name: string; dir: string}> {
  const found: Array<{name: string; dir: string}> = [];
  const resolve = (p: string, relative: boolean) => (relative || !path.isAbsolute(p) ? path.resolve(root, p) : path.resolve(p));
  for (const [section, keys] of ini) {
    const p = keys.get('Path');
    if (/^Profile\d+$/i.test(section) && p) {
      found.push({name: keys.get('Name') || path.basename(p), dir: resolve(p, keys.get('IsRelative') !== '0')});
    }
    // `[Install…]` in profiles.ini, `[<hash>]` in installs.ini; in `[ProfileN]`, Default=1 is a flag.
    const def = keys.get('Default');
    if (!/^(Profile\d+|General|BackgroundTasksProfiles)$/i.test(section) && def)
      found.push({name: path.basename(def), dir: resolve(def, !path.isAbsolute(def))});
  }
  return found;
}

function readIni(file: string): IniSections | undefined {
  try {
    return parseIni(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Every Firefox profile of this user, found the way Firefox finds them: profiles.ini (and
 * installs.ini) in each root; plus any directory under a root holding an NSS database (a profile
 * whose profiles.ini was lost still has one Firefox may be pointed at with -profile).
 */
export function findFirefoxProfiles(home: string, platform: NodeJS.Platform = process.platform): FirefoxProfile[] {
  const seen = new Set<string>();
  const profiles: FirefoxProfile[] = [];
  const add = (label: string, name: string, dir: string) => {
    if (seen.has(dir) || !isDir(dir)) return;
    seen.add(dir);
    profiles.push({label: `${label} profile ${name}`, dir, fresh: !existsSync(path.join(dir, 'cert9.db'))});
  };
  for (const [label, root] of firefoxRoots(home, platform)) {
    for (const file of ['profiles.ini', 'installs.ini']) {
      const ini = readIni(path.join(root, file));
      if (ini) for (const {name, dir} of profilesFromIni(ini, root)) add(label, name, dir);
    }
    let entries: string[] = [];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const entry of entries) if (existsSync(path.join(root, entry, 'cert9.db'))) add(label, entry, path.join(root, entry));
  }
  return profiles;
}
