import type {IncomingMessage} from 'node:http';

/** Why an HTTP/1 request is refused before routing. */
export interface Edge {
  status: number;
  /** One sentence for the client. */
  reason: string;
  /** Short text for the traffic log. */
  error: string;
}

/** How many Host fields the request carried (Node keeps only the first in `headers`). */
function hostFields(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') n++;
  }
  return n;
}

/**
 * Protocol edges of an HTTP/1 connection, refused at once: a version other than HTTP/1.0 or 1.1 on the
 * request line (`HTTP/2.0` is no HTTP/1 request: 505, RFC 9110 §15.6.6), and more than one Host field
 * (RFC 9112 §3.2: 400), which two parts of a chain could read differently.
 */
export function refuseEdges(req: IncomingMessage): Edge | undefined {
  if (req.httpVersion !== '1.1' && req.httpVersion !== '1.0') {
    return {
      status: 505,
      reason: `portico speaks HTTP/1.1 and HTTP/2 (over TLS), not HTTP/${req.httpVersion} on an HTTP/1 connection.`,
      error: `HTTP/${req.httpVersion}`,
    };
  }
  if (hostFields(req.rawHeaders) > 1) return {status: 400, reason: 'The request carries more than one Host header.', error: 'two Host headers'};
  return undefined;
}

/**
 * True when the first bytes of an HTTP/1 connection hold an HTTP/0.9 request line (a method and a
 * target, `GET /`, with no version): no HTTP/1.x answer is possible, and Node's parser would sit on it
 * until the header timeout. Any other line without a version (`GARBAGE`) is Node's parser's to refuse: 400.
 */
export function isHttp09(chunk: Buffer): boolean {
  const end = chunk.indexOf(10 /* LF */);
  if (end === -1 || end > 8192) return false;
  const line = chunk.toString('latin1', 0, end).replace(/\r$/, '');
  return /^[A-Za-z]+ [^ ]+$/.test(line) && !/ HTTP\/\d/.test(line);
}
