/** The hosts-file block portico owns: everything between these markers, nothing else. */
export const BEGIN = '# portico begin: managed by `portico hosts sync`; `portico hosts clean` removes it';
export const END = '# portico end';

/** The file's line ending: CRLF if it uses CRLF (Windows), else LF. */
export function lineEnding(content: string): string {
  return content.includes('\r\n') ? '\r\n' : '\n';
}

export function renderBlock(hosts: readonly string[], eol: string): string {
  const names = [...new Set(hosts)].sort();
  const lines = [BEGIN, ...names.flatMap((h) => [`127.0.0.1 ${h}`, `::1 ${h}`]), END];
  return lines.join(eol) + eol;
}

/**
 * The file with portico's block replaced (or appended, or removed when `hosts` is empty).
 * Every byte outside the block is kept as it was.
 */
export function withBlock(content: string, hosts: readonly string[]): string {
  const eol = lineEnding(content);
  const block = hosts.length === 0 ? '' : renderBlock(hosts, eol);
  const start = content.indexOf(BEGIN);
  if (start !== -1) {
    const endMarker = content.indexOf(END, start);
    if (endMarker !== -1) {
      let end = endMarker + END.length;
      if (content.startsWith(eol, end)) end += eol.length;
      else if (content[end] === '\n') end += 1;
      return content.slice(0, start) + block + content.slice(end);
    }
  }
  if (block === '') return content;
  const sep = content === '' || content.endsWith('\n') ? '' : eol;
  return content + sep + block;
}
