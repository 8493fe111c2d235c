import http from 'node:http';
import type http2 from 'node:http2';
import type net from 'node:net';
import type {Duplex} from 'node:stream';
import {RequestBody, type BodySource} from './body.js';
import type {Forwarder} from './engine.js';
import {admit, checkEdges, logRefusal, refused, refuseResponse, refuseSocket, type FrontContext, type Refusal} from './front.js';
import {disarmGuard, guardHeaders} from './guard.js';
import {hasBody} from './headers.js';
import type {RelayClient} from './relay.js';
import {relayedOf} from './relayed.js';
import {ProxyExchange, runRequestPasses, type PipelineContext, type ProxyRequest} from './pipeline.js';
import {socketResponse, tunnelExtendedConnect, tunnelUpgrade, type TunnelContext} from './websocket.js';
import type {ProxyResponse} from './writer.js';

/**
 * The three ways in: a request, an HTTP/1.1 Upgrade, an extended CONNECT over HTTP/2. Each runs the
 * front of the house (front.ts), writes a refusal with its transport's writer, and otherwise builds
 * one exchange and runs the route's request passes on it, then forwards or tunnels.
 */
export interface EntranceContext {
  front: FrontContext;
  pipeline: PipelineContext;
  tunnels: TunnelContext;
  forwarder: Forwarder;
  /** HTTP/1.1 slowloris guard (guard.ts), milliseconds. */
  headersTimeoutMs: number;
  /** Counts requests in flight, for a graceful close. */
  inflight: {count: number};
  /** In a worker: the way to the primary, for routes whose passes it owns (relay.ts). */
  relay?: RelayClient;
}

export interface Entrances {
  request(req: ProxyRequest, res: ProxyResponse): void;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  connect(req: ProxyRequest, resOrSocket: ProxyResponse | net.Socket): void;
}

const NOT_A_FORWARD_PROXY: Refusal = {status: 400, reason: 'portico is not a forward proxy (CONNECT).', error: 'CONNECT'};

export function entrances(ctx: EntranceContext): Entrances {
  const {pipeline} = ctx;
  const onRequestEnd = () => {
    ctx.inflight.count--;
  };

  const request = (req: ProxyRequest, res: ProxyResponse) => {
    const started = Date.now();
    ctx.inflight.count++;
    res.once('close', onRequestEnd);
    const h1 = req instanceof http.IncomingMessage;
    // A relayed request comes from a worker over a local socket: the guard watched its client already.
    if (h1 && !relayedOf(req)) guardHeaders(req.socket, ctx.headersTimeoutMs, res);
    const match = admit(req, ctx.front);
    if (refused(match)) return logRefusal(pipeline.traffic, pipeline.nextId, req, started, match, refuseResponse(res, match));
    if (match.entry.relay && ctx.relay) {
      const refusal = ctx.relay.request(req, res);
      if (refusal) logRefusal(pipeline.traffic, pipeline.nextId, req, started, refusal, refuseResponse(res, refusal));
      return;
    }
    const ex = new ProxyExchange(pipeline, req, res, match.host, match.path, match.entry, match.copy);
    const stream = (req as {stream?: http2.ServerHttp2Stream}).stream;
    if (hasBody(req.headers, !h1, ex.method, stream?.endAfterHeaders)) ex.body = new RequestBody(req as unknown as BodySource);
    runRequestPasses(ex, () => ctx.forwarder.forward(ex));
  };

  /** An Upgrade portico does not tunnel: strip it and serve the request on this socket as plain HTTP/1.1. */
  const serveIgnoringUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (head.length > 0) socket.unshift(head);
    delete req.headers.upgrade;
    request(req, socketResponse(req, socket));
  };

  const upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    disarmGuard(socket);
    // Only WebSocket is ever tunnelled. Any other protocol (h2c, TLS/1.0...) is ignored, as RFC 9110
    // §7.8 lets a server do: the request is answered as ordinary HTTP, and the connection then closes.
    if (String(req.headers.upgrade).toLowerCase() !== 'websocket') return serveIgnoringUpgrade(req, socket, head);
    const started = Date.now();
    const match = admit(req, ctx.front);
    if (refused(match)) return logRefusal(pipeline.traffic, pipeline.nextId, req, started, match, refuseSocket(socket, match), true);
    if (match.entry.relay && ctx.relay) return ctx.relay.upgrade(req, socket, head);
    const ex = new ProxyExchange(pipeline, req, socketResponse(req, socket), match.host, match.path, match.entry, match.copy);
    ex.websocket = true;
    runRequestPasses(ex, () => void tunnelUpgrade(ctx.tunnels, ex, socket, head));
  };

  // h2 CONNECT arrives as (req, res); h1 CONNECT as (req, socket, head). Only RFC 8441 WebSockets pass.
  const connect = (req: ProxyRequest, resOrSocket: ProxyResponse | net.Socket) => {
    const started = Date.now();
    if (req instanceof http.IncomingMessage) {
      const socket = resOrSocket as net.Socket;
      socket.on('error', () => socket.destroy());
      disarmGuard(socket);
      const refusal = checkEdges(req) ?? NOT_A_FORWARD_PROXY;
      return logRefusal(pipeline.traffic, pipeline.nextId, req, started, refusal, refuseSocket(socket, refusal));
    }
    const res = resOrSocket as ProxyResponse;
    if (req.headers[':protocol'] !== 'websocket')
      return logRefusal(pipeline.traffic, pipeline.nextId, req, started, NOT_A_FORWARD_PROXY, refuseResponse(res, NOT_A_FORWARD_PROXY));
    const match = admit(req, ctx.front);
    if (refused(match)) return logRefusal(pipeline.traffic, pipeline.nextId, req, started, match, refuseResponse(res, match), true);
    if (match.entry.relay && ctx.relay) return ctx.relay.connect(req, res);
    const ex = new ProxyExchange(pipeline, req, res, match.host, match.path, match.entry, match.copy);
    ex.websocket = true;
    runRequestPasses(ex, () => void tunnelExtendedConnect(ctx.tunnels, ex));
  };

  return {request, upgrade, connect};
}
