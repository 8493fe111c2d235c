import type {IncomingHttpHeaders} from 'node:http';
import type {Headers} from '../traffic/capture.js';
import type {TrafficSink} from '../traffic/event.js';
import {Recording, snapshotRun} from '../traffic/recording.js';
import type {ExchangeAttempt, ExchangeTiming} from '../traffic/timing.js';

/**
 * What the traffic view keeps of one request, WebSocket session or local answer once it is over. The
 * one builder of events and captures: local answers (404, 400, 508...), exchanges and tunnels all end here.
 */
export interface ExchangeRecord {
  id: number;
  /** Epoch milliseconds. */
  started: number;
  method: string;
  host: string;
  /** Path and query as the client sent them. */
  url: string;
  protocol: 'h1' | 'h2' | 'ws';
  status: number;
  /** Response body bytes sent to the client. */
  bytes: number;
  error?: string;
  /** Route key; absent for requests portico answered before any route matched. */
  route?: string;
  target?: string;
  requestHeaders: IncomingHttpHeaders;
  responseHeaders?: IncomingHttpHeaders;
  timing: ExchangeTiming;
  attempts: readonly ExchangeAttempt[];
  notes: readonly string[];
  /** What was recorded while a viewer captured (bodies, WebSocket messages). */
  recording?: Recording;
}

/** A recording of an answer portico wrote itself (its pages), so the detail view shows the bytes it sent. */
export function recordLocalAnswer(started: number, headers: Headers, body: string): Recording {
  const recording = new Recording(started);
  recording.response(headers, 'portico').add(Buffer.from(body));
  return recording;
}

/** Send one record to the sink: its capture first (while a viewer captures), then its event. */
export function publish(sink: TrafficSink | undefined, r: ExchangeRecord): void {
  if (!sink?.active) return;
  const captured = r.recording !== undefined && sink.wantsCapture === true && sink.capture !== undefined;
  if (captured) {
    sink.capture!(
      r.recording!.complete({
        id: r.id,
        started: r.started,
        method: r.method,
        host: r.host,
        url: r.url,
        clientProtocol: r.protocol,
        ...(r.route ? {route: r.route, backendProtocol: 'http/1.1' as const} : {}),
        requestHeaders: {...r.requestHeaders} as Headers,
        status: r.status,
        ...(r.responseHeaders ? {responseHeaders: r.responseHeaders as Headers} : {}),
        ...snapshotRun(r.timing, r.attempts),
        notes: [...r.notes],
        ...(r.error ? {error: r.error} : {}),
      }),
    );
  }
  sink.emit({
    type: 'request',
    id: r.id,
    time: r.started,
    method: r.method,
    host: r.host,
    path: r.url,
    status: r.status,
    duration: r.timing.end ?? Date.now() - r.started,
    bytes: r.bytes,
    ...(r.target ? {target: r.target} : {}),
    ...(r.route ? {route: r.route} : {}),
    protocol: r.protocol,
    ...(r.error ? {error: r.error} : {}),
    ...(sink.wantsHeaders ? {requestHeaders: r.requestHeaders as Headers, ...(r.responseHeaders ? {responseHeaders: r.responseHeaders as Headers} : {})} : {}),
    ...(r.attempts.length > 1 ? {attempts: r.attempts.map((a) => ({...a}))} : {}),
    ...(r.notes.length > 0 ? {notes: [...r.notes]} : {}),
    ...(captured ? {captured: true} : {}),
  });
}
