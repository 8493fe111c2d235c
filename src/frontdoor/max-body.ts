import {Readable} from 'node:stream';
import type {Exchange, ExchangeResponse, PassFactory} from '../pipeline/exchange.js';

function contentTooLarge(limit: number): ExchangeResponse {
  const text = `413: the request body is larger than this route accepts (--max-body, ${limit} bytes); the backend was not asked.\n`;
  return {
    status: 413,
    headers: {'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store'},
    body: Readable.from([Buffer.from(text)]),
    source: 'portico',
  };
}

/**
 * `--max-body SIZE` (README "Request body limit"). A declared Content-Length over the limit is
 * answered 413 before anything is forwarded. A body without a length (HTTP/1.1 chunked, HTTP/2 DATA
 * frames) is counted as it streams: portico sends a body to the backend as it arrives, so when the
 * count passes the limit, part of it may already be upstream. If no attempt has started yet, the
 * answer is still a 413; once one has, the exchange is reset (HTTP/1.1: the connection closes;
 * HTTP/2: the stream is reset), which also cancels the backend request, because a 413 then could
 * contradict what the backend has already done with the bytes it got.
 */
export function maxBodyFeature(): PassFactory {
  return {
    name: 'max-body',
    request(entry) {
      const limit = entry.route.options?.maxBody;
      if (limit === undefined) return undefined;
      return (ex: Exchange) => {
        const declared = Number(ex.requestHeaders['content-length'] ?? 0);
        if (declared > limit) {
          ex.notes.push('max-body: 413');
          ex.respond(contentTooLarge(limit));
          return 'answered';
        }
        let seen = 0;
        const count = (chunk: Buffer) => {
          seen += chunk.length;
          if (seen <= limit) return;
          ex.requestBody.removeListener('data', count);
          if (ex.attempts.length === 0) {
            ex.notes.push('max-body: 413');
            ex.respond(contentTooLarge(limit));
          } else {
            ex.notes.push('max-body: reset');
            ex.drop();
            // Already answered by the backend: the upload still stops here.
            ex.requestBody.destroy();
          }
        };
        ex.requestBody.on('data', count);
        return 'next';
      };
    },
  };
}
