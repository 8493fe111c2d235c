import type {RequestEvent} from '../traffic/event.js';
import {duration, shortTarget} from './format.js';

/** Widths of the request log's columns, from what the visible rows hold and the terminal's width. */
export interface Columns {
  method: number;
  path: number;
  duration: number;
  target: number;
  protocol: number;
  error: number;
}

const TIME = 8;
const STATUS = 3;

/**
 * Each column as wide as its widest visible value; when the line would not fit, the path gives way
 * first (down to 30), then the error column (down to 12), then the path again; the target never. So a
 * short path never pads the line with blanks while the error beside it is cut to a few characters.
 */
export function layoutColumns(rows: readonly RequestEvent[], width: number): Columns {
  const widest = (f: (e: RequestEvent) => string, min = 0) => rows.reduce((w, e) => Math.max(w, f(e).length), min);
  const c: Columns = {
    method: widest((e) => e.method, 3),
    path: widest((e) => `${e.host}${e.path}`, 10),
    duration: widest((e) => duration(e.duration), 4),
    target: widest((e) => shortTarget(e.target), 1),
    protocol: widest((e) => e.protocol, 2),
    error: widest(outcomeText),
  };
  const used = () => TIME + 1 + c.method + 1 + STATUS + 1 + c.path + 1 + c.duration + 1 + c.target + 1 + c.protocol + (c.error > 0 ? 1 + c.error : 0);
  const shrink = (key: keyof Columns, floor: number) => {
    const over = used() - width;
    if (over > 0 && c[key] > floor) c[key] = Math.max(floor, c[key] - over);
  };
  // The target (`localhost:5173`) is never cut: a port with its last digits gone misleads.
  shrink('path', 30);
  shrink('error', 12);
  shrink('path', 12);
  shrink('error', 6);
  return c;
}

/** The last column: the error, then what the front door did (`[cache: hit]`, `[injected: 503]`). */
export function outcomeText(e: RequestEvent): string {
  const notes = e.notes?.length ? `[${e.notes.join(', ')}]` : '';
  return e.error && notes ? `${e.error} ${notes}` : e.error || notes;
}
