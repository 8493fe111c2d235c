import type {IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse} from 'node:http';
import type {Http2ServerResponse} from 'node:http2';
import type {ExchangeResponse} from '../pipeline/exchange.js';
import {H2Response} from './h2stream.js';

export type ProxyResponse = ServerResponse | Http2ServerResponse | H2Response;

/** How a write ended: bytes of body sent, and an error when the response could not be completed. */
export interface WriteResult {
  bytes: number;
  error?: string;
}

/** Statuses that never carry a body (RFC 9110 §6.4.1): no body and no Content-Length goes to the client. */
export function bodiless(status: number, method: string): boolean {
  return status === 204 || status === 304 || status < 200 || method === 'HEAD';
}

/**
 * Write one response (a backend's or portico's own, after the response passes) to an HTTP/1.1 or
 * HTTP/2 client, with backpressure: a slow client pauses the body instead of buffering it here.
 * `done` is called once, when the last byte went out or the response broke.
 */
export function writeResponse(res: ProxyResponse, response: ExchangeResponse, method: string, h1: boolean, done: (result: WriteResult) => void): void {
  const {status, body} = response;
  const headers: OutgoingHttpHeaders = {...response.headers};
  const empty = bodiless(status, method);
  if (status === 204 || status === 304) {
    // A 204 with Content-Length makes HTTP/2 clients fail the stream (they expect that many bytes).
    delete headers['content-length'];
  }
  // HTTP/1.1 trailers need chunked framing; with a length they cannot be sent (and Node refuses the header).
  if (h1 && (headers['content-length'] !== undefined || empty)) delete headers.trailer;
  let bytes = 0;
  let finished = false;
  const finish = (error?: string) => {
    if (finished) return;
    finished = true;
    done(error ? {bytes, error} : {bytes});
  };
  try {
    res.writeHead(status, headers as never);
  } catch (error) {
    body.resume();
    finish(`invalid response header (${(error as Error).message})`);
    return;
  }
  // Server-sent events: the client must see the headers now, not with the first event.
  if (typeof headers['content-type'] === 'string' && headers['content-type'].startsWith('text/event-stream') && 'flushHeaders' in res) res.flushHeaders();
  res.once('close', () => finish(res.writableFinished ? undefined : 'client closed'));
  // An HTTP/2 stream the client reset is ended by Node itself: that 'finish' is not a delivered response.
  res.once('finish', () => finish(res instanceof H2Response && res.aborted ? 'client closed' : undefined));
  if (empty) {
    body.resume();
    (res as H2Response).end();
    return;
  }
  const resume = () => body.resume();
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (!(res as NodeJS.WritableStream).write(chunk)) {
      body.pause();
      res.once('drain', resume);
    }
  });
  let ended = false;
  // A backend that resets mid-body: the client must not see a clean end.
  body.once('close', () => {
    if (!ended && !finished) {
      res.destroy(new Error('backend response broke'));
      finish('backend response broke');
    }
  });
  body.once('end', () => {
    ended = true;
    const trailers = response.trailers ?? (body as {trailers?: IncomingHttpHeaders}).trailers;
    if (trailers && Object.keys(trailers).length > 0 && 'addTrailers' in res) res.addTrailers(trailers as never);
    (res as H2Response).end();
  });
  body.once('error', (error: NodeJS.ErrnoException) => {
    // The response had started: the client must see a broken response, not a truncated "success".
    res.destroy(error);
    finish(error.code ?? 'backend response broke');
  });
}
