/** The key flags Ink's useInput reports, as far as the dashboard reads them. */
export interface Keys {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/**
 * Edit a line of text with what arrived from the terminal. Keys that arrive together (a paste, or
 * fast typing with backspace) come as one string, e.g. `ab\x7fc`: each character is applied in turn,
 * DEL and BS erase, CR/LF apply, escape sequences (arrows inside a paste) and other controls are dropped.
 */
export function editText(text: string, input: string, key: Keys): {text: string; done?: 'apply' | 'cancel'} {
  if (key.return) return {text, done: 'apply'};
  if (key.escape && input.length <= 1) return {text, done: 'cancel'};
  if ((key.backspace || key.delete) && input.length <= 1) return {text: text.slice(0, -1)};
  if (key.ctrl) return {text};
  let out = text;
  // eslint-disable-next-line no-control-regex
  const cleaned = input.replace(/\u001B\[[\d;]*[~A-Za-z]|\u001B./g, '');
  for (const ch of cleaned) {
    if (ch === '\u007F' || ch === '\b') out = out.slice(0, -1);
    else if (ch === '\r' || ch === '\n') return {text: out, done: 'apply'};
    else if (ch >= ' ') out += ch;
  }
  return {text: out};
}
