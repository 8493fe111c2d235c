/**
 * WebSocket frames (RFC 6455 5.2) in a captured chunk, described for the detail view: opcode, size
 * and, for text, the (unmasked) text. A chunk that does not start on a frame boundary is summarised.
 */
const OPCODES: Record<number, string> = {0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong'};

/** Characters of a text frame shown. */
const TEXT = 200;

export function describeWsChunk(bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    const masked = (bytes[at + 1]! & 0x80) !== 0;
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > bytes.length) break;
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (at + 10 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    const name = OPCODES[opcode];
    if (!name) return [`${bytes.length} bytes (not at a frame boundary)`];
    const maskAt = at + header;
    const dataAt = maskAt + (masked ? 4 : 0);
    const data = Buffer.from(bytes.subarray(dataAt, Math.min(bytes.length, dataAt + length)));
    if (masked) for (let i = 0; i < data.length; i++) data[i]! ^= bytes[maskAt + (i % 4)]!;
    const text =
      opcode === 1 ? ` ${JSON.stringify(data.toString('utf8').slice(0, TEXT))}` : opcode === 8 && data.length >= 2 ? ` code ${data.readUInt16BE(0)}` : '';
    out.push(`${name} ${length} B${text}`);
    at = dataAt + length;
  }
  if (out.length === 0 && bytes.length > 0) out.push(`${bytes.length} bytes`);
  return out;
}
