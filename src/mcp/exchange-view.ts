/**
 * One exchange as get_exchange returns it: the event and, when it was captured, headers, bodies
 * (decoded and pretty-printed as the dashboard's detail view shows them), timing, attempts and
 * WebSocket frames. Pure; secrets are redacted before this sees the capture.
 */
import {STATUS_CODES} from 'node:http';
import {BODY_LIMIT, type CapturedBody, type ExchangeCapture, type Headers} from '../traffic/capture.js';
import {viewBody} from '../traffic/body.js';
import {authorityOf} from '../traffic/curl.js';
import type {RequestEvent} from '../traffic/event.js';
import {describeWsChunk} from '../ui/websocket-frames.js';

/** The event of a capture whose event has left the daemon's history (it keeps fewer events than captures). */
export function eventFromCapture(c: ExchangeCapture): RequestEvent {
  return {
    type: 'request',
    id: c.id,
    time: c.started,
    method: c.method,
    host: c.host,
    path: c.url,
    status: c.status,
    duration: c.timing.end ?? 0,
    bytes: c.responseBody?.size ?? 0,
    ...(c.attempts.length > 0 ? {target: c.attempts.at(-1)!.target} : {}),
    ...(c.route ? {route: c.route} : {}),
    protocol: c.clientProtocol,
    ...(c.error ? {error: c.error} : {}),
    captured: true,
  };
}

/** A capture holding only what the event knows (no headers, no bodies): enough for a `curl` line. */
export function captureFromEvent(e: RequestEvent, port: number): ExchangeCapture {
  return {
    id: e.id,
    started: e.time,
    method: e.method,
    host: e.host,
    url: e.path,
    clientProtocol: e.protocol,
    requestHeaders: {host: `${e.host}:${port}`},
    status: e.status,
    timing: {},
    attempts: [],
    notes: e.notes ?? [],
  };
}

function body(b: CapturedBody | undefined, headers: Headers | undefined): Record<string, unknown> | undefined {
  if (!b || b.size === 0) return undefined;
  const view = viewBody(b, headers);
  return {
    type: view.type,
    size: view.wireSize,
    ...(view.decoded ? {decoded: view.decoded} : {}),
    ...(view.decodeError ? {decodeError: view.decodeError} : {}),
    ...(view.truncated ? {truncated: `only the first ${BODY_LIMIT} bytes were captured`} : {}),
    [view.kind === 'binary' ? 'summary' : 'text']: view.text,
  };
}

export function exchangeView(e: RequestEvent, c: ExchangeCapture | undefined): Record<string, unknown> {
  const authority = c ? authorityOf(c.requestHeaders, e.host) : e.host;
  const base = {
    id: e.id,
    time: new Date(e.time).toISOString(),
    method: e.method,
    url: `https://${authority}${e.path}`,
    status: e.status,
    statusText: STATUS_CODES[e.status] ?? '',
    durationMs: e.duration,
    bytes: e.bytes,
    protocol: e.protocol,
    ...(e.route ? {route: e.route} : {}),
    ...(e.target ? {target: e.target} : {}),
    ...(e.error ? {error: e.error} : {}),
    ...(e.notes?.length ? {notes: e.notes} : {}),
  };
  if (!c)
    return {...base, captured: false, why: 'Not captured: portico captures while `portico mcp` or `portico dash` is connected; this request came before.'};
  return {
    ...base,
    captured: true,
    answeredBy: c.source ?? (e.target ? 'backend' : 'portico'),
    backendProtocol: c.backendProtocol,
    timingMs: c.timing,
    attempts: c.attempts,
    ...(c.notes.length ? {notes: c.notes} : {}),
    request: {headers: c.requestHeaders, body: body(c.requestBody, c.requestHeaders)},
    response: {headers: c.responseHeaders ?? {}, body: body(c.responseBody, c.responseHeaders)},
    ...(c.websocket
      ? {
          websocket: {
            dropped: c.websocket.dropped,
            messages: c.websocket.messages.map((m) => ({atMs: m.at, from: m.from, frames: describeWsChunk(Buffer.from(m.base64, 'base64'))})),
          },
        }
      : {}),
  };
}
