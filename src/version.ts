import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The package root: works from src/ (tests) and dist/src/ (built). */
export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      if (JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')).name === 'portico') return d;
    } catch {
      // keep walking up
    }
    if (path.dirname(d) === d) return dir;
  }
}

export const VERSION: string = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
