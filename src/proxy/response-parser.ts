import type {IncomingHttpHeaders} from 'node:http';

/**
 * Incremental parser for a backend's HTTP/1.x response: the head, then the body framed by
 * Content-Length, chunked coding or the connection's close (RFC 9112 6.3). portico's own client
 * uses it instead of Node's http.request: on the hot path Node's client (agent, ClientRequest,
 * IncomingMessage, pipe) cost more CPU per request than the TLS server in front of it.
 */

export interface ResponseHead {
  status: number;
  /** HTTP/1.x minor version. */
  minor: number;
  /** Lower-case names, as Node's IncomingMessage: Set-Cookie an array, other repeats joined with ", ". */
  headers: IncomingHttpHeaders;
  /** The response carries no body at all (HEAD, 204, 304). */
  bodiless: boolean;
  /** Body length from Content-Length, or -1 when chunked or delimited by close. */
  length: number;
}

export interface ResponseEvents {
  head(head: ResponseHead): void;
  body(chunk: Buffer): void;
  end(): void;
}

/** The most a response head may take; larger is refused as Node refuses it (HPE_HEADER_OVERFLOW). */
const MAX_HEAD = 64 * 1024;
const MAX_CHUNK_LINE = 4096;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const BAD_VALUE = /[\0\r\n]/;
const DIGITS = /^\d{1,15}$/;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Done,
}

export class ResponseParseError extends Error {
  readonly code = 'EBADRESPONSE';
}

export class ResponseParser {
  private state = State.Head;
  private pending: Buffer | undefined;
  private remaining = 0;
  /** The connection may carry another request once this response is done. */
  keepAlive = false;
  /** Bytes arrived after the response ended: the connection is in an unknown state. */
  extra = false;
  /** The final (non-1xx) head has been parsed. */
  started = false;

  constructor(
    private readonly events: ResponseEvents,
    /** The request was HEAD: the response has no body whatever its headers say. */
    private readonly headRequest: boolean,
  ) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  /** The body runs until the backend closes: the caller ends it with finish(). */
  get delimitedByClose(): boolean {
    return this.state === State.UntilClose;
  }

  /** Feed bytes from the socket. Throws ResponseParseError on a malformed response. */
  execute(chunk: Buffer): void {
    let data = chunk;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let at = 0;
    while (at < data.length) {
      switch (this.state) {
        case State.Head: {
          const end = data.indexOf('\r\n\r\n', at, 'latin1');
          if (end === -1) {
            if (data.length - at > MAX_HEAD) throw new ResponseParseError('response head too large');
            this.pending = data.subarray(at);
            return;
          }
          if (end - at > MAX_HEAD) throw new ResponseParseError('response head too large');
          this.parseHead(data.toString('latin1', at, end));
          at = end + 4;
          break;
        }
        case State.Length: {
          const take = Math.min(this.remaining, data.length - at);
          this.remaining -= take;
          // Whole-chunk fast path: no copy, no slice.
          this.events.body(at === 0 && take === data.length ? data : data.subarray(at, at + take));
          at += take;
          if (this.remaining === 0) this.finishBody();
          break;
        }
        case State.ChunkSize: {
          const eol = data.indexOf('\r\n', at, 'latin1');
          if (eol === -1) {
            if (data.length - at > MAX_CHUNK_LINE) throw new ResponseParseError('chunk size line too long');
            this.pending = data.subarray(at);
            return;
          }
          const line = data.toString('latin1', at, eol);
          const semi = line.indexOf(';');
          const hex = (semi === -1 ? line : line.slice(0, semi)).trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new ResponseParseError(`invalid chunk size ${JSON.stringify(hex.slice(0, 20))}`);
          this.remaining = Number.parseInt(hex, 16);
          at = eol + 2;
          this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, data.length - at);
          this.remaining -= take;
          this.events.body(data.subarray(at, at + take));
          at += take;
          if (this.remaining === 0) this.state = State.ChunkEnd;
          break;
        }
        case State.ChunkEnd: {
          if (data.length - at < 2) {
            this.pending = data.subarray(at);
            return;
          }
          if (data[at] !== 13 || data[at + 1] !== 10) throw new ResponseParseError('missing CRLF after chunk data');
          at += 2;
          this.state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          // Trailer fields are dropped (Node's server would need them declared up front); the empty line ends the body.
          const eol = data.indexOf('\r\n', at, 'latin1');
          if (eol === -1) {
            if (data.length - at > MAX_HEAD) throw new ResponseParseError('trailers too large');
            this.pending = data.subarray(at);
            return;
          }
          const empty = eol === at;
          at = eol + 2;
          if (empty) this.finishBody();
          break;
        }
        case State.UntilClose:
          this.events.body(at === 0 ? data : data.subarray(at));
          return;
        case State.Done:
          this.extra = true;
          return;
      }
    }
  }

  /** The backend closed the connection. Returns false when the response was cut short. */
  finish(): boolean {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.events.end();
      return true;
    }
    return this.state === State.Done;
  }

  private parseHead(text: string): void {
    const lines = text.split('\r\n');
    const statusLine = lines[0]!;
    // HTTP/1.1 200 OK (the reason phrase may be empty or missing)
    if (!statusLine.startsWith('HTTP/1.') || statusLine.charCodeAt(8) !== 32) throw new ResponseParseError(`invalid status line ${JSON.stringify(statusLine.slice(0, 40))}`);
    const minor = statusLine.charCodeAt(7) - 48;
    const status = Number(statusLine.slice(9, 12));
    if (minor < 0 || minor > 9 || !/^\d{3}$/.test(statusLine.slice(9, 12)) || (statusLine.length > 12 && statusLine.charCodeAt(12) !== 32)) {
      throw new ResponseParseError(`invalid status line ${JSON.stringify(statusLine.slice(0, 40))}`);
    }
    const headers: IncomingHttpHeaders = {};
    let contentLength: string | undefined;
    let transferEncoding: string | undefined;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ResponseParseError(`invalid header line ${JSON.stringify(line.slice(0, 40))}`);
      const name = line.slice(0, colon).toLowerCase();
      if (!TOKEN.test(name)) throw new ResponseParseError(`invalid header name ${JSON.stringify(name.slice(0, 40))}`);
      const value = line.slice(colon + 1).trim();
      if (BAD_VALUE.test(value)) throw new ResponseParseError(`invalid value in header ${name}`);
      if (name === 'content-length') {
        if (contentLength !== undefined && contentLength !== value) throw new ResponseParseError('conflicting Content-Length headers');
        contentLength = value;
        headers[name] = value;
        continue;
      }
      if (name === 'transfer-encoding') transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
      else if (name === 'connection') connection += `${value.toLowerCase()},`;
      const prior = headers[name];
      if (name === 'set-cookie') (headers['set-cookie'] ??= []).push(value);
      else headers[name] = prior === undefined ? value : `${prior as string}, ${value}`;
    }
    // 1xx: informational, no body; the final response follows on the same connection.
    if (status < 200) {
      if (status === 101) throw new ResponseParseError('unexpected 101 Switching Protocols');
      return;
    }
    this.started = true;
    this.keepAlive = minor >= 1 ? !/(^|[\s,])close[\s,]/.test(connection) : /(^|[\s,])keep-alive[\s,]/.test(connection);
    const bodiless = this.headRequest || status === 204 || status === 304;
    let length = -1;
    if (bodiless) this.state = State.Done;
    else if (transferEncoding !== undefined) {
      // Transfer-Encoding wins over Content-Length (RFC 9112 6.3), and the length must not be forwarded.
      delete headers['content-length'];
      if (/(^|,)\s*chunked\s*$/i.test(transferEncoding)) this.state = State.ChunkSize;
      else {
        this.state = State.UntilClose;
        this.keepAlive = false;
      }
    } else if (contentLength !== undefined) {
      if (!DIGITS.test(contentLength)) throw new ResponseParseError(`invalid Content-Length ${JSON.stringify(contentLength.slice(0, 20))}`);
      length = Number(contentLength);
      this.remaining = length;
      this.state = length === 0 ? State.Done : State.Length;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
    this.events.head({status, minor, headers, bodiless, length});
    if (this.state === State.Done) this.events.end();
  }

  private finishBody(): void {
    this.state = State.Done;
    this.events.end();
  }
}
