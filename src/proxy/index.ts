import {randomBytes} from 'node:crypto';
import type http2 from 'node:http2';
import type net from 'node:net';
import {Transport} from '../transport/index.js';
import type {ProxyOptions, RunningProxy} from './types.js';
import {Forwarder} from './engine.js';
import {entrances} from './entrances.js';
import {LOOPBACK, listenAll, sniffer, sniffingListener} from './listen.js';
import {RelayClient, listenRelay} from './relay.js';
import {redirectServer, tlsServer} from './servers.js';
import {RouteTable} from './table.js';

export type {ProxyOptions, RunningProxy} from './types.js';

/** Defaults of the limits in ProxyOptions (README "Limits"). */
export const DEFAULTS = {timeoutMs: 30_000, headersTimeoutMs: 20_000, maxConcurrentStreams: 250, h2IdleMs: 120_000, upgradeTimeoutMs: 10_000} as const;

/**
 * Start the HTTPS proxy: TLS (h2 + http/1.1) on one port of each loopback address; plain HTTP there
 * gets a redirect to https. Wiring only: the route table, the entrances (entrances.ts) over the front
 * of the house (front.ts), the servers (servers.ts) and the listeners. Collaborators come in through options.
 */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const hop = options.hop ?? randomBytes(6).toString('hex');
  const traffic = options.traffic;
  let port = options.port;
  const ids = options.ids ?? {first: 1, step: 1};
  let nextId = ids.first;
  // Built here only when the composer passed none (tests); then it is this proxy's to close.
  const transport = options.transport ?? new Transport({maxSockets: options.maxBackendConnections, idleMs: options.backendIdleMs});
  const table = new RouteTable({
    port: () => port,
    transport,
    onHealth: (event) => traffic?.active && traffic.emit(event),
    ...(options.features ? {features: options.features} : {}),
    relayShared: options.relayTo !== undefined,
    ...(options.healthShare ? {share: options.healthShare} : {}),
  });
  table.set(options.routes ?? []);
  const headersTimeoutMs = options.headersTimeout ?? DEFAULTS.headersTimeoutMs;
  const inflight = {count: 0};
  const relay = options.relayTo && new RelayClient(options.relayTo.socket, options.relayTo.secret, () => port);
  const doors = entrances({
    front: {hop, table},
    pipeline: {
      traffic,
      nextId: () => {
        const id = nextId;
        nextId += ids.step;
        return id;
      },
    },
    tunnels: {hop, transport, upgradeTimeoutMs: options.upgradeTimeout ?? DEFAULTS.upgradeTimeoutMs},
    forwarder: new Forwarder({hop, transport, timeoutMs: options.backendTimeout ?? DEFAULTS.timeoutMs, port: () => port}),
    headersTimeoutMs,
    inflight,
    ...(relay ? {relay} : {}),
  });
  const tls = await tlsServer({
    certs: options.certs,
    entrances: doors,
    headersTimeoutMs,
    maxConcurrentStreams: options.maxConcurrentStreams ?? DEFAULTS.maxConcurrentStreams,
    ...(options.ticketKeys ? {sessionIdContext: 'portico'} : {}),
  });
  if (options.ticketKeys) tls.setTicketKeys(options.ticketKeys);
  const plain = redirectServer(() => port);

  const connections = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  };
  const handoff = options.handoff;
  const make = () => {
    // A connection handed to a worker is the worker's to track and close.
    const server = sniffingListener(tls, plain, handoff && ((socket) => handoff(socket) || (track(socket), false)));
    if (!handoff) server.on('connection', track);
    return server;
  };
  const sniff = sniffer(tls, plain);
  const bound = await listenAll(make, options.hosts ?? LOOPBACK, options.port);
  port = bound.port;
  const relayServer = options.relayListen && (await listenRelay(options.relayListen.socket, options.relayListen.secret, doors));
  const sessions = new Set<http2.ServerHttp2Session>();
  const h2Idle = options.h2IdleTimeout ?? DEFAULTS.h2IdleMs;
  tls.on('session', (session) => {
    // An idle HTTP/2 connection is closed gracefully (GOAWAY): streams still open finish first.
    if (h2Idle > 0) session.setTimeout(h2Idle, () => session.close());
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });

  return {
    get port() {
      return port;
    },
    setRoutes(routes, uses) {
      table.set(routes, uses);
    },
    status() {
      return table.status();
    },
    probeIdle(maxAgeMs) {
      return table.probeIdle(maxAgeMs);
    },
    health: table,
    accept(socket) {
      track(socket);
      sniff(socket);
    },
    async close(graceMs = 5000) {
      // Stop accepting now; the close callbacks fire only once every connection is gone, so they are
      // awaited last (awaiting them first would wait for idle browser keep-alive connections).
      const listenersClosed = Promise.all([...bound.servers, ...(relayServer ? [relayServer] : [])].map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const session of sessions) session.close();
      tls.close();
      plain.close();
      // In-flight requests finish (up to graceMs); then every connection, idle keep-alive ones included, goes.
      const deadline = Date.now() + graceMs;
      while (inflight.count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      for (const socket of connections) socket.destroy();
      relayServer?.closeAllConnections();
      relay?.close();
      table.close();
      if (!options.transport) transport.close();
      await listenersClosed;
    },
  };
}
