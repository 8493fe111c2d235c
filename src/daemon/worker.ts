/**
 * A worker process of the daemon (README "Workers"; the primary's side is workers.ts). It listens on
 * nothing: the primary hands it connections, unread, and pushes the routes. It serves the routes
 * whose passes hold no shared state and relays the others to the primary (proxy/relay.ts); its
 * traffic events and captures go to the primary's hub, batched once per event-loop turn.
 */
import type net from 'node:net';
import {ensureCA} from '../certs/ca.js';
import {createCertProvider} from '../certs/provider.js';
import {isUnderAddedDomain} from '../domains/files.js';
import {domainIssuers} from '../domains/store.js';
import {CacheRegistry} from '../frontdoor/cache-registry.js';
import {frontDoorFeatures} from '../frontdoor/index.js';
import {startProxy, type RunningProxy} from '../proxy/index.js';
import {statePaths} from '../state/home.js';
import type {KeptCapture} from '../traffic/capture.js';
import type {TrafficEvent, TrafficSink} from '../traffic/event.js';
import {Transport} from '../transport/index.js';
import type {FromWorker, ToWorker, Watch} from './workers.js';

const send = (message: FromWorker) => {
  if (process.connected) process.send!(message);
};

/** The worker's traffic sink: what it serves goes to the primary's hub, one message per event-loop turn. */
class ForwardingSink implements TrafficSink {
  readonly active = true;
  watch: Watch = {headers: false, capture: false};
  private events: TrafficEvent[] = [];
  private captures: KeptCapture[] = [];
  private scheduled = false;

  constructor(private readonly worker: number) {}

  get wantsHeaders(): boolean {
    return this.watch.headers || this.watch.capture;
  }

  get wantsCapture(): boolean {
    return this.watch.capture;
  }

  emit(event: TrafficEvent): void {
    this.events.push(event.type === 'request' ? {...event, worker: this.worker} : event);
    this.schedule();
  }

  capture(capture: KeptCapture): void {
    this.captures.push(capture);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = () => {
    this.scheduled = false;
    send({t: 'events', events: this.events, captures: this.captures});
    this.events = [];
    this.captures = [];
  };
}

let proxy: RunningProxy | undefined;
let transport: Transport | undefined;
let sink: ForwardingSink | undefined;
let stopping = false;

async function init(message: Extract<ToWorker, {t: 'init'}>): Promise<void> {
  const {setup} = message;
  const paths = statePaths(setup.home);
  process.umask(0o077);
  sink = new ForwardingSink(message.index);
  sink.watch = message.watch;
  transport = new Transport();
  const certs = createCertProvider(await ensureCA(paths), {
    certsDir: paths.certsDir,
    issuerFor: domainIssuers(paths.home),
    ticketKeys: Buffer.from(setup.ticketKeys),
  });
  proxy = await startProxy({
    port: setup.port,
    hosts: [],
    certs,
    routes: message.routes,
    traffic: sink,
    transport,
    features: frontDoorFeatures({registry: new CacheRegistry(), ownName: (host) => isUnderAddedDomain(paths.home, host)}),
    backendTimeout: setup.timeoutMs,
    hop: setup.hop,
    ticketKeys: Buffer.from(setup.ticketKeys),
    ids: {first: 1 + message.index, step: setup.processes},
    relayTo: setup.relay,
    // The primary owns the targets' health: this process reports what its requests find and follows its verdicts.
    healthShare: {
      role: 'follower',
      observed: (route, target, error) => send({t: 'observed', route, target, ...(error === undefined ? {} : {error})}),
      used: (route) => send({t: 'used', route}),
    },
  });
  proxy.setRoutes(message.routes, new Map(message.uses));
  send({t: 'ready'});
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await proxy?.close(5000);
  transport?.close();
  process.exit(0);
}

process.on('message', (message: ToWorker, handle?: net.Socket) => {
  switch (message.t) {
    case 'init':
      init(message).catch((error: Error) => {
        send({t: 'log', line: `failed to start: ${error.stack ?? error.message}`});
        process.exit(1);
      });
      break;
    case 'conn':
      if (!handle) break;
      if (proxy && !stopping) proxy.accept(handle);
      else handle.destroy();
      break;
    case 'routes':
      proxy?.setRoutes(message.routes, new Map(message.uses));
      send({t: 'ack', seq: message.seq});
      break;
    case 'health':
      proxy?.health.apply(message.updates);
      break;
    case 'watch':
      if (sink) sink.watch = message.watch;
      send({t: 'ack', seq: message.seq});
      break;
    case 'status': {
      const answer = () => send({t: 'status', seq: message.seq, routes: proxy?.status() ?? []});
      if (message.probeMaxAgeMs === undefined || !proxy) answer();
      else proxy.probeIdle(message.probeMaxAgeMs).then(answer, answer);
      break;
    }
    case 'stop':
      void stop();
      break;
  }
});

// The primary gone (crashed, killed): nothing can reach this worker any more.
process.on('disconnect', () => void stop());
// Ctrl-C in a terminal reaches the whole process group: the primary stops its workers itself, gracefully.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
process.on('SIGTERM', () => void stop());
process.on('uncaughtException', (error) => {
  send({t: 'log', line: `uncaught: ${error.stack ?? error.message}`});
});
