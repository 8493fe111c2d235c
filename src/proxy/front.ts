import http from 'node:http';
import type {Duplex} from 'node:stream';
import type {RouteEntry} from '../pipeline/exchange.js';
import {forwardPath} from '../routes/match.js';
import {normalizePath} from '../routes/path.js';
import type {Headers} from '../traffic/capture.js';
import type {TrafficSink} from '../traffic/event.js';
import {refuseEdges} from './edges.js';
import type {H2Response} from './h2stream.js';
import {HOP_HEADER, requestHost} from './headers.js';
import {badRequestPage, loopPage, unknownHostPage} from './pages.js';
import type {ServedCopy} from '../pipeline/exchange.js';
import {copyHasNoRoutePage} from './copy-pages.js';
import {chooseCopy} from './copy-switch.js';
import type {ProxyRequest} from './pipeline.js';
import {publish, recordLocalAnswer} from './record.js';
import {relayedOf} from './relayed.js';
import type {RouteTable} from './table.js';
import type {ProxyResponse} from './writer.js';

/**
 * The front of the house: the named steps every request, HTTP/1.1 Upgrade and RFC 8441 extended
 * CONNECT takes before a route's passes see it (edges, origin form, host, loop, route). Each step
 * lets the request on or refuses it; the transport writes the refusal with its own writer below, and
 * the refusal is logged exactly once (README "WebSockets").
 */

/** A request the front of the house let through: the route it matched and the path for the backend. */
export interface Admitted {
  entry: RouteEntry;
  host: string;
  path: string;
  /** The copy of an app the stable host chose for this request (README "Copies of an app"). */
  copy?: ServedCopy;
}

/** Why the front of the house refused a request. */
export interface Refusal {
  status: number;
  /** One sentence for the client. */
  reason: string;
  /** Short text for the traffic log. */
  error: string;
  /** The HTML page for clients that get a response (absent: the reason as plain text). */
  page?: string;
  /** The connection closes after the answer (a protocol edge: what follows on it cannot be trusted). */
  close?: boolean;
  /** Headers of the answer (a copy switch's Location and Set-Cookie). */
  headers?: Record<string, string>;
}

export interface FrontContext {
  /** This proxy's loop marker (HOP_HEADER). */
  hop: string;
  table: RouteTable;
}

interface Seen {
  url: string;
  host?: string;
}

type Step = (req: ProxyRequest, ctx: FrontContext, seen: Seen) => Refusal | undefined;

/**
 * Protocol edges of an HTTP/1 connection (a version other than 1.0/1.1, two Host fields); also the
 * whole check for an HTTP/1.1 CONNECT, which is refused whatever it asks.
 */
export function checkEdges(req: ProxyRequest): Refusal | undefined {
  // An HTTP/1 connection's request, whatever version its request line claims (`HTTP/2.0` is refused here).
  if (!(req instanceof http.IncomingMessage)) return undefined;
  const edge = refuseEdges(req);
  return edge && {...edge, page: badRequestPage(edge.reason), close: true};
}

const edges: Step = (req) => checkEdges(req);

/** Only origin-form targets (`/path`): portico is a reverse proxy, never a forward proxy. */
const originForm: Step = (_req, _ctx, seen) => {
  if (seen.url.charCodeAt(0) === 47 /* '/' */) return undefined;
  const reason = `portico does not proxy absolute-form requests (${seen.url.slice(0, 200)}).`;
  return {status: 400, reason, error: 'absolute-form', page: badRequestPage(reason)};
};

const host: Step = (req, _ctx, seen) => {
  seen.host = requestHost(req.headers);
  if (seen.host) return undefined;
  const reason = 'The request names no host.';
  return {status: 400, reason, error: 'no host', page: badRequestPage(reason)};
};

/** A request that already went through this portico: a route's target points back at it. */
const loop: Step = (req, ctx, seen) =>
  req.headers[HOP_HEADER] === ctx.hop ? {status: 508, reason: 'Loop detected', error: 'loop', page: loopPage(seen.host!)} : undefined;

/** The steps in order; routing comes last, in admit(). */
export const FRONT_STEPS: readonly Step[] = [edges, originForm, host, loop];

/** Paths that need normalising: dot segments, doubled slashes, percent-escapes. Most do not. */
const NEEDS_NORMALIZING = /%|\/\.|\/\/|\\/;

/** Run the front steps, then route: the match, or the refusal to write. */
export function admit(req: ProxyRequest, ctx: FrontContext): Admitted | Refusal {
  const seen: Seen = {url: req.url ?? ''};
  for (const step of FRONT_STEPS) {
    const refusal = step(req, ctx, seen);
    if (refusal) return refusal;
  }
  const {url} = seen;
  const name = seen.host!;
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const path = NEEDS_NORMALIZING.test(rawPath) ? normalizePath(rawPath.replace(/\\/g, '/')) : rawPath;
  const group = ctx.table.copyGroup(name);
  let copy: ServedCopy | undefined;
  let routeHost = ctx.table.copyAlias(name) ?? name;
  if (group) {
    // The copy step: the stable host of a copied app serves one copy, never falls through (README "Copies of an app").
    const chosen = chooseCopy(req.method ?? 'GET', url, req.headers, group, ctx.table.port());
    if ('status' in chosen) return chosen;
    routeHost = chosen.member.host;
    copy = {name: chosen.member.name, first: chosen.member.first, by: chosen.by, switch: group.switch};
  }
  const entry = ctx.table.match(routeHost, path);
  if (!entry && group)
    return {
      status: 404,
      reason: `The copy ${copy!.name} of ${name} serves nothing under ${path}.`,
      error: 'no route in copy',
      page: copyHasNoRoutePage(group, copy!.name, path, ctx.table.port()),
    };
  if (!entry) return {status: 404, reason: `portico has no route for ${name}`, error: 'no route', page: unknownHostPage(name, ctx.table.links())};
  return {entry, host: name, path: forwardPath(entry.path, entry.route.stripPrefix, q === -1 ? path : path + url.slice(q)), ...(copy ? {copy} : {})};
}

export const refused = (r: Admitted | Refusal): r is Refusal => 'status' in r;

/** What a refusal writer sent, for the traffic view's detail. */
interface Sent {
  headers: Headers;
  body: string;
}

/** Refusal writer for a request with a response (HTTP/1.1, HTTP/2, and RFC 8441 CONNECT's stream): the page. */
export function refuseResponse(res: ProxyResponse, r: Refusal): Sent | undefined {
  if (res.headersSent || res.destroyed) return undefined;
  const body = r.page ?? badRequestPage(r.reason);
  const headers = {'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...r.headers};
  if (r.close && 'shouldKeepAlive' in res) res.shouldKeepAlive = false;
  res.writeHead(r.status, {...headers});
  (res as H2Response).end(body);
  return {headers, body};
}

/** Refusal writer for a raw HTTP/1.1 socket (an Upgrade or a CONNECT portico does not serve): plain text, then close. */
export function refuseSocket(socket: Duplex, r: Refusal): Sent | undefined {
  if (!socket.writable) return undefined;
  const body = `${r.reason}\n`;
  const headers = {'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), connection: 'close'};
  socket.end(
    `HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status]}\r\nContent-Type: text/plain\r\nContent-Length: ${headers['content-length']}\r\nConnection: close\r\n\r\n${body}`,
  );
  return {headers, body};
}

/** The one event (and capture) of a request refused before any route's passes. */
export function logRefusal(
  sink: TrafficSink | undefined,
  id: () => number,
  req: ProxyRequest,
  started: number,
  r: Refusal,
  sent: Sent | undefined,
  websocket = false,
): void {
  if (!sink?.active) return;
  publish(sink, {
    id: id(),
    started,
    method: req.method ?? 'GET',
    host: requestHost(req.headers) ?? '',
    url: req.url ?? '/',
    protocol: websocket ? 'ws' : (relayedOf(req)?.protocol ?? (req.httpVersionMajor === 2 ? 'h2' : 'h1')),
    status: r.status,
    bytes: sent ? Buffer.byteLength(sent.body) : 0,
    error: r.error,
    requestHeaders: req.headers,
    ...(sent ? {responseHeaders: sent.headers} : {}),
    timing: {end: Date.now() - started},
    attempts: [],
    notes: [],
    ...(sent && sink.wantsCapture ? {recording: recordLocalAnswer(started, sent.headers, sent.body)} : {}),
  });
}
