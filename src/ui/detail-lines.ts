/**
 * The detail view of one exchange as plain lines (the component only renders a window of them, so
 * long bodies scroll): what was sent and answered, timing, attempts, protocols, bodies, WebSocket messages.
 */
import {STATUS_CODES} from 'node:http';
import {humanSize, viewBody} from '../traffic/body.js';
import type {CapturedBody, ExchangeCapture, Headers} from '../traffic/capture.js';
import type {RequestEvent} from '../traffic/event.js';
import {clock, duration, shortTarget} from './format.js';
import {describeWsChunk} from './websocket-frames.js';

export interface DetailLine {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
}

/** Lines of a body shown at most; the rest is summarised (the HAR export has it all). */
const BODY_LINES = 400;

function headerLines(title: string, headers: Headers | undefined): DetailLine[] {
  const lines: DetailLine[] = [{text: ''}, {text: title, bold: true}];
  if (!headers || Object.keys(headers).length === 0) return [...lines, {text: '  (none recorded)', dim: true}];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push({text: `  ${name}: ${v}`});
  }
  return lines;
}

function bodyLines(title: string, body: CapturedBody | undefined, headers: Headers | undefined): DetailLine[] {
  const view = viewBody(body, headers);
  if (view.kind === 'empty') return [{text: ''}, {text: `${title}: empty`, bold: true}];
  const facts = [
    view.type,
    humanSize(view.wireSize),
    ...(view.decoded ? [`${view.decoded}, decoded`] : []),
    ...(view.truncated ? ['first 64 KiB captured'] : []),
    ...(view.decodeError ? [view.decodeError] : []),
  ];
  const lines: DetailLine[] = [{text: ''}, {text: `${title} (${facts.join(', ')})`, bold: true}];
  if (view.kind === 'binary') return [...lines, {text: `  ${view.text}`, dim: true}];
  const text = view.text.split('\n');
  for (const line of text.slice(0, BODY_LINES)) lines.push({text: `  ${line}`, color: view.kind === 'json' ? 'green' : undefined});
  if (text.length > BODY_LINES) lines.push({text: `  … ${text.length - BODY_LINES} more lines (w writes them all to a HAR file)`, dim: true});
  return lines;
}

function timingLine(c: ExchangeCapture, total: number): DetailLine {
  const t = c.timing;
  const parts: string[] = [];
  if (t.picked !== undefined) parts.push(`wait for instance ${duration(t.picked)}`);
  if (t.connected !== undefined) parts.push(`connect ${duration(Math.max(0, t.connected - (t.picked ?? 0)))}`);
  if (t.firstByte !== undefined) parts.push(`first byte ${duration(t.firstByte)}`);
  parts.push(`total ${duration(t.end ?? total)}`);
  return {text: `Timing   ${parts.join(' · ')}`};
}

function attemptLines(attempts: ExchangeCapture['attempts']): DetailLine[] {
  if (attempts.length === 0) return [];
  const lines: DetailLine[] = [{text: `Attempts ${attempts.length}`}];
  attempts.forEach((a, i) => {
    lines.push({text: `  ${i + 1}. ${shortTarget(a.target)} at +${duration(a.at)}: ${a.error ?? 'answered'}`, color: a.error ? 'red' : undefined});
  });
  return lines;
}

function websocketLines(c: ExchangeCapture): DetailLine[] {
  const ws = c.websocket;
  if (!ws) return [];
  const lines: DetailLine[] = [
    {text: ''},
    {text: `WebSocket messages (${ws.messages.length}${ws.dropped > 0 ? ` shown, ${ws.dropped} more not kept` : ''})`, bold: true},
  ];
  for (const m of ws.messages) {
    const arrow = m.from === 'client' ? '→' : '←';
    for (const frame of describeWsChunk(Buffer.from(m.base64, 'base64')))
      lines.push({text: `  +${duration(m.at)} ${arrow} ${frame}`, color: m.from === 'client' ? 'cyan' : undefined});
  }
  return lines;
}

/** Everything the detail view shows, top to bottom. `capture` is undefined while loading or when not captured. */
export function detailLines(event: RequestEvent, capture: ExchangeCapture | undefined, note?: string): DetailLine[] {
  const reason = STATUS_CODES[event.status] ?? '';
  const lines: DetailLine[] = [
    {text: `${event.method} ${event.host}${event.path}  ${event.status === 0 ? '---' : event.status} ${reason}`, bold: true},
    {
      text: `#${event.id} at ${clock(event.time)} · ${duration(event.duration)} · ${humanSize(event.bytes)} · route ${event.route ?? '-'} · target ${event.target ?? '-'}`,
      dim: true,
    },
  ];
  const backend =
    capture?.source === 'portico'
      ? 'answered by portico'
      : capture?.source === 'cache'
        ? 'answered from cache'
        : `→ backend ${capture?.backendProtocol ?? 'http/1.1'}`;
  lines.push({
    text: `Protocol client ${event.protocol === 'h2' ? 'HTTP/2' : event.protocol === 'ws' ? 'WebSocket' : 'HTTP/1.1'} ${event.target || capture ? backend : ''}`.trimEnd(),
  });
  if (event.error) lines.push({text: `Error    ${event.error}`, color: 'red'});
  if (capture) {
    lines.push(timingLine(capture, event.duration));
    lines.push(...attemptLines(capture.attempts));
    if (capture.notes.length > 0) lines.push({text: `Notes    ${capture.notes.join(' · ')}`});
  } else {
    // Not captured: the event still says how many tries it took and what passes did.
    lines.push(...attemptLines(event.attempts ?? []));
    if (event.notes?.length) lines.push({text: `Notes    ${event.notes.join(' · ')}`});
    if (note) lines.push({text: note, dim: true});
  }
  lines.push(...headerLines('Request headers', capture?.requestHeaders ?? event.requestHeaders));
  if (capture) lines.push(...bodyLines('Request body', capture.requestBody, capture.requestHeaders));
  lines.push(...headerLines('Response headers', capture?.responseHeaders ?? event.responseHeaders));
  if (capture) lines.push(...bodyLines('Response body', capture.responseBody, capture.responseHeaders));
  if (capture) lines.push(...websocketLines(capture));
  return lines;
}
