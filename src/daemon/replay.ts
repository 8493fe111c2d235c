/**
 * `portico replay <id>` and the dashboard's `r`: send a captured request again, through the proxy
 * itself, so it takes the route as it is now and shows up as a new entry like any other request.
 */
import https from 'node:https';
import {ExitCode, UserError} from '../errors.js';
import type {ExchangeCapture, Headers} from '../traffic/capture.js';
import {CONNECTION_BOUND} from '../traffic/curl.js';
import type {RequestEvent} from '../traffic/event.js';
import type {ReplayResult} from './protocol.js';

export interface ReplayOptions {
  /** The proxy's HTTPS port. */
  port: number;
  /** The CA certificate (PEM) the proxy's leaf certificates chain to. */
  ca: string;
  /** Milliseconds to wait for the whole answer. Default 30000. */
  timeoutMs?: number;
}

/** What to send: a capture (headers and body) or, failing that, the event (headers only if recorded). */
export interface ReplaySource {
  event?: RequestEvent;
  capture?: ExchangeCapture;
}

function replayHeaders(headers: Headers, authority: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':') && !CONNECTION_BOUND.has(name)) out[name] = value;
  out.host = authority;
  return out;
}

export function replay(id: number, source: ReplaySource, options: ReplayOptions): Promise<ReplayResult> {
  const {capture, event} = source;
  if (!capture && !event)
    throw new UserError(`No request with id ${id} is in portico's recent traffic.`, {hint: 'See the ids with `portico logs --json`.', exit: ExitCode.notFound});
  const protocol = capture?.clientProtocol ?? event!.protocol;
  if (protocol === 'ws') throw new UserError(`Request ${id} is a WebSocket session; portico replays HTTP requests only.`);
  const method = capture?.method ?? event!.method;
  const host = capture?.host ?? event!.host;
  const url = capture?.url ?? event!.path;
  const headers = capture?.requestHeaders ?? event?.requestHeaders;
  const body = capture?.requestBody;
  if (body?.truncated)
    throw new UserError(
      `Request ${id} cannot be replayed as sent: its body (${body.size} bytes) was larger than the ${Buffer.from(body.base64, 'base64').length} bytes portico captures.`,
    );
  const bodyless = method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'DELETE';
  if (!capture && !bodyless)
    throw new UserError(`Request ${id} (${method}) cannot be replayed: its body was not captured.`, {
      hint: 'Keep `portico dash` open while the request is made; it turns capture on.',
    });
  const authority = String(headers?.[':authority'] ?? headers?.host ?? host);
  const payload = body && body.size > 0 ? Buffer.from(body.base64, 'base64') : undefined;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: options.port,
        method,
        path: url,
        servername: host,
        ca: options.ca,
        agent: false,
        headers: {...replayHeaders(headers ?? {}, authority), ...(payload ? {'content-length': payload.length} : {})},
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () =>
          resolve({of: id, status: res.statusCode ?? 0, bytes, ...(headers ? {} : {partial: 'sent without the original headers (they were not recorded)'})}),
        );
        res.on('error', (error) => reject(new UserError(`Replay of request ${id} failed: ${error.message}.`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within the timeout')));
    req.on('error', (error) => reject(new UserError(`Replay of request ${id} failed: ${error.message}.`)));
    req.end(payload);
  });
}
