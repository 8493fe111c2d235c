/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) from the daemon's events and captures,
 * for `portico logs --har FILE` and the dashboard's `w` key. Browsers' devtools import it.
 */
import {STATUS_CODES} from 'node:http';
import {decodeContent} from './body.js';
import {authorityOf} from './curl.js';
import type {CapturedBody, ExchangeCapture, Headers} from './capture.js';
import type {RequestEvent} from './event.js';
import {redactHeaders} from './redact.js';

export interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: [];
    headers: HarHeader[];
    queryString: HarHeader[];
    postData?: {mimeType: string; text: string; comment?: string};
    headersSize: -1;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: [];
    headers: HarHeader[];
    content: {size: number; compression?: number; mimeType: string; text?: string; encoding?: 'base64'; comment?: string};
    redirectURL: string;
    headersSize: -1;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: {blocked: number; dns: -1; connect: number; ssl: -1; send: number; wait: number; receive: number};
  comment?: string;
}

export interface Har {
  log: {version: '1.2'; creator: {name: string; version: string}; entries: HarEntry[]};
}

function harHeaders(headers: Headers | undefined): HarHeader[] {
  const out: HarHeader[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.startsWith(':')) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push({name, value: String(v)});
  }
  return out;
}

function header(headers: Headers | undefined, name: string): string | undefined {
  const v = headers?.[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function query(url: string): HarHeader[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  return [...new URLSearchParams(url.slice(q + 1))].map(([name, value]) => ({name, value}));
}

function httpVersion(protocol: string): string {
  return protocol === 'h2' ? 'HTTP/2.0' : 'HTTP/1.1';
}

/** HAR content is the decoded body: text as text, anything else base64. */
function content(body: CapturedBody | undefined, headers: Headers | undefined): HarEntry['response']['content'] {
  const mimeType = header(headers, 'content-type') ?? 'x-unknown';
  if (!body) return {size: 0, mimeType};
  const decoded = decodeContent(Buffer.from(body.base64, 'base64'), header(headers, 'content-encoding'), body.truncated);
  const bytes = decoded.bytes;
  const text = bytes.toString('utf8');
  const isText = !text.includes('\uFFFD');
  return {
    size: decoded.decoded ? bytes.length : body.size,
    ...(decoded.decoded ? {compression: bytes.length - body.size} : {}),
    mimeType,
    ...(isText ? {text} : {text: bytes.toString('base64'), encoding: 'base64' as const}),
    ...(body.truncated ? {comment: `truncated: portico captured the first ${Buffer.from(body.base64, 'base64').length} of ${body.size} bytes`} : {}),
  };
}

/** Split the total into HAR's phases from what the capture measured; -1 where nothing was measured. */
function timings(event: RequestEvent, capture: ExchangeCapture | undefined): HarEntry['timings'] {
  const t = capture?.timing ?? {};
  const total = Math.max(0, event.duration);
  if (t.firstByte === undefined) return {blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: total, receive: 0};
  const picked = t.picked ?? 0;
  const connected = t.connected ?? picked;
  const sent = t.sent ?? connected;
  const end = t.end ?? total;
  return {
    blocked: picked,
    dns: -1,
    connect: Math.max(0, connected - picked),
    ssl: -1,
    send: Math.max(0, sent - connected),
    wait: Math.max(0, t.firstByte - sent),
    receive: Math.max(0, end - t.firstByte),
  };
}

/** How a HAR file is written. */
export interface HarOptions {
  /** Keep Authorization, Cookie, Set-Cookie and Proxy-Authorization values (`--with-secrets`). Default false. */
  keepSecrets?: boolean;
  /** The daemon's HTTPS port, for entries whose request headers were not captured. */
  port?: number;
}

/** One request as a HAR entry; secrets redacted unless `keepSecrets`. */
export function harEntry(event: RequestEvent, capture: ExchangeCapture | undefined, options: HarOptions = {}): HarEntry {
  const keep = options.keepSecrets === true;
  const reqHeaders = redactHeaders(capture?.requestHeaders ?? event.requestHeaders, keep);
  const resHeaders = redactHeaders(capture?.responseHeaders ?? event.responseHeaders, keep);
  // Without the request's headers (recorded while no dashboard was open) the port comes from the daemon.
  const fallback = options.port === undefined || options.port === 443 ? event.host : `${event.host}:${options.port}`;
  const authority = reqHeaders ? authorityOf(reqHeaders, fallback) : fallback;
  const reqBody = capture?.requestBody;
  const version = httpVersion(event.protocol);
  const postData =
    reqBody && reqBody.size > 0
      ? {
          mimeType: header(reqHeaders, 'content-type') ?? 'application/octet-stream',
          text: Buffer.from(reqBody.base64, 'base64').toString('utf8'),
          ...(reqBody.truncated ? {comment: `truncated at ${Buffer.from(reqBody.base64, 'base64').length} of ${reqBody.size} bytes`} : {}),
        }
      : undefined;
  const notes = [
    ...(capture?.notes ?? []),
    ...(event.error ? [`error: ${event.error}`] : []),
    ...(event.target ? [`target: ${event.target}`] : []),
    ...(capture?.attempts ?? []).filter((a) => a.error).map((a) => `attempt ${a.target}: ${a.error}`),
  ];
  return {
    startedDateTime: new Date(event.time).toISOString(),
    time: Math.max(0, event.duration),
    request: {
      method: event.method,
      url: `https://${authority}${event.path}`,
      httpVersion: version,
      cookies: [],
      headers: harHeaders(reqHeaders),
      queryString: query(event.path),
      ...(postData ? {postData} : {}),
      headersSize: -1,
      bodySize: reqBody?.size ?? (event.method === 'GET' || event.method === 'HEAD' ? 0 : -1),
    },
    response: {
      status: event.status,
      statusText: STATUS_CODES[event.status] ?? '',
      httpVersion: version,
      cookies: [],
      headers: harHeaders(resHeaders),
      content: content(capture?.responseBody, resHeaders),
      redirectURL: header(resHeaders, 'location') ?? '',
      headersSize: -1,
      bodySize: capture?.responseBody?.size ?? event.bytes,
    },
    cache: {},
    timings: timings(event, capture),
    ...(notes.length > 0 ? {comment: notes.join('; ')} : {}),
  };
}

/** One HAR entry per request event (WebSocket sessions included as their handshake), oldest first. */
export function buildHar(events: readonly RequestEvent[], captures: ReadonlyMap<number, ExchangeCapture>, version: string, options: HarOptions = {}): Har {
  // HAR entries are in the order the requests started (events arrive as they finish).
  const ordered = [...events].sort((a, b) => a.time - b.time || a.id - b.id);
  return {log: {version: '1.2', creator: {name: 'portico', version}, entries: ordered.map((e) => harEntry(e, captures.get(e.id), options))}};
}

/** Traffic files hold what the requests held: only their owner may read them (README "Security model"). */
export const TRAFFIC_FILE_MODE = 0o600;
