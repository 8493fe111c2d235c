import type {IncomingHttpHeaders} from 'node:http';
import type {Headers} from '../traffic/capture.js';
import type {RequestEvent, TrafficSink} from '../traffic/event.js';
import {Recording, type ExchangeFacts} from '../traffic/recording.js';
import {REDACTED} from '../traffic/redact.js';
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
  /** Credentials found on the exchange (the access gate): replaced by `[redacted]` in the event and capture. */
  secrets?: readonly string[];
}

/** A recording of an answer portico wrote itself (its pages), so the detail view shows the bytes it sent. */
export function recordLocalAnswer(started: number, headers: Headers, body: string): Recording {
  const recording = new Recording(started);
  recording.response(headers, 'portico').add(Buffer.from(body));
  return recording;
}

/** Send one record to the sink: its capture first (while a viewer captures), then its event. */
export function publish(sink: TrafficSink | undefined, record: ExchangeRecord): void {
  if (!sink?.active) return;
  const r = record.secrets?.length ? redactRecord(record, record.secrets) : record;
  const captured = r.recording !== undefined && sink.wantsCapture === true && sink.capture !== undefined;
  if (captured) {
    const facts: ExchangeFacts = {
      id: r.id,
      started: r.started,
      method: r.method,
      host: r.host,
      url: r.url,
      clientProtocol: r.protocol,
      requestHeaders: {...r.requestHeaders} as Headers,
      status: r.status,
      timing: {...r.timing},
      attempts: r.attempts.map((a) => ({...a})),
      notes: [...r.notes],
    };
    if (r.route) {
      facts.route = r.route;
      facts.backendProtocol = 'http/1.1';
    }
    if (r.responseHeaders) facts.responseHeaders = r.responseHeaders as Headers;
    if (r.error) facts.error = r.error;
    const complete = r.recording!.complete(facts);
    sink.capture!(
      r.secrets?.length ? {...complete, responseHeaders: complete.responseHeaders && (hideSecrets(complete.responseHeaders, r.secrets) as Headers)} : complete,
    );
  }
  sink.emit(requestEvent(r, sink.wantsHeaders, captured));
}

/**
 * The event of one record. Optional fields are assigned, not spread: this runs once per request, and
 * each `...(x ? {x} : {})` built and copied an object of its own.
 */
function requestEvent(r: ExchangeRecord, withHeaders: boolean, captured: boolean): RequestEvent {
  const event: RequestEvent = {
    type: 'request',
    id: r.id,
    time: r.started,
    method: r.method,
    host: r.host,
    path: r.url,
    status: r.status,
    duration: r.timing.end ?? Date.now() - r.started,
    bytes: r.bytes,
    protocol: r.protocol,
  };
  if (r.target) event.target = r.target;
  if (r.route) event.route = r.route;
  if (r.error) event.error = r.error;
  if (withHeaders) {
    event.requestHeaders = r.requestHeaders as Headers;
    if (r.responseHeaders) event.responseHeaders = r.responseHeaders as Headers;
  }
  if (r.attempts.length > 1) event.attempts = r.attempts.map((a) => ({...a}));
  if (r.notes.length > 0) event.notes = [...r.notes];
  if (captured) event.captured = true;
  return event;
}

/** `text` with every secret replaced by `[redacted]`. */
function hide(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}

function hideSecrets(headers: IncomingHttpHeaders | Headers, secrets: readonly string[]): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((v) => hide(v, secrets)) : hide(String(value), secrets);
  }
  return out;
}

/** The record as the traffic view may show it: the URL and headers without the exchange's credentials. */
function redactRecord(r: ExchangeRecord, secrets: readonly string[]): ExchangeRecord {
  return {
    ...r,
    url: hide(r.url, secrets).replace(/([?&]portico_token=)[^&#]*/g, `$1${REDACTED}`),
    requestHeaders: hideSecrets(r.requestHeaders, secrets),
    ...(r.responseHeaders ? {responseHeaders: hideSecrets(r.responseHeaders, secrets)} : {}),
  };
}
