import {closeSync, fchmodSync, openSync, writeSync} from 'node:fs';
import {TRAFFIC_FILE_MODE, type Har, type HarEntry} from './har.js';

/**
 * A HAR file written entry by entry (`logs --follow --har`): memory stays bounded however long it
 * runs, and what was written is on disk if the process dies (`close` makes it valid JSON).
 */
export interface HarFileWriter {
  add(entry: HarEntry): void;
  /** Finish the JSON; the count of entries written. */
  close(): number;
}

/** Open `file` for writing (mode 0600 whatever the umask; an existing file is truncated). */
export function openHarFile(file: string, creator: Har['log']['creator']): HarFileWriter {
  const fd = openSync(file, 'w', TRAFFIC_FILE_MODE);
  // A file that already existed keeps its old mode on open: set it.
  if (process.platform !== 'win32') fchmodSync(fd, TRAFFIC_FILE_MODE);
  writeSync(fd, `{"log": {"version": "1.2", "creator": ${JSON.stringify(creator)}, "entries": [`);
  let count = 0;
  let open = true;
  return {
    add(entry) {
      writeSync(fd, `${count === 0 ? '\n' : ',\n'}${JSON.stringify(entry)}`);
      count++;
    },
    close() {
      if (open) {
        open = false;
        writeSync(fd, `${count === 0 ? '' : '\n'}]}}\n`);
        closeSync(fd);
      }
      return count;
    },
  };
}
