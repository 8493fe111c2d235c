import type {IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse} from 'node:http';
import type {Http2ServerResponse} from 'node:http2';
import {forwardResponseHeaders} from './headers.js';
import {H2Response} from './h2stream.js';
import type {ProxyResponse} from './writer.js';

/**
 * Relay an interim 1xx response (103 Early Hints, 102 Processing) to the client before the final one.
 * 100 Continue is the server's own business (Node answers Expect itself) and 101 never comes here.
 */
export function sendInformation(res: ProxyResponse, status: number, headers: IncomingHttpHeaders): void {
  if (status === 100 || status === 101 || res.headersSent || res.destroyed) return;
  const out = forwardResponseHeaders(headers);
  if (res instanceof H2Response) {
    res.writeInformation(status, out);
    return;
  }
  try {
    if (status === 103) (res as ServerResponse | Http2ServerResponse).writeEarlyHints(out as Record<string, string | string[]>);
    else if (status === 102 && 'writeProcessing' in res) (res as ServerResponse).writeProcessing();
  } catch {
    // A hint Node refuses (a malformed Link): the final response still comes; hints are optional.
  }
}

export type {OutgoingHttpHeaders};
