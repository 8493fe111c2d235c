import type {IncomingHttpHeaders} from 'node:http';
import {Readable} from 'node:stream';
import type {Pool} from '../../src/balance/pool.js';
import type {Exchange, ExchangeResponse, PassFactory, RouteEntry} from '../../src/pipeline/exchange.js';
import type {RouteOptions} from '../../src/routes/types.js';

/** A route entry with options and no pool: passes never touch the pool. */
export function fakeEntry(options: RouteOptions, key = 'api.localhost'): RouteEntry {
  return {
    host: 'api.localhost',
    path: '/',
    key,
    route: {host: 'api.localhost', path: '/', targets: [{url: 'http://localhost:9090'}], strategy: 'round-robin', stripPrefix: false, options},
    pool: undefined as unknown as Pool,
    // runThrough builds the passes it runs from the feature under test.
    requestPasses: [],
    responsePasses: [],
  };
}

export interface FakeExchange extends Exchange {
  /** What a pass answered with `respond`. */
  responded?: ExchangeResponse;
  dropped: boolean;
  aborted: boolean;
}

let nextId = 1;

/** An Exchange as the pipeline would make it, over plain objects. */
export function fakeExchange(init: {method?: string; url?: string; headers?: IncomingHttpHeaders; client?: string; entry?: RouteEntry} = {}): FakeExchange {
  const ex: FakeExchange = {
    id: nextId++,
    started: Date.now(),
    method: init.method ?? 'GET',
    url: init.url ?? '/',
    requestHeaders: {...init.headers},
    requestBody: Readable.from([]),
    host: 'api.localhost',
    forwardPath: init.url ?? '/',
    entry: init.entry ?? fakeEntry({}),
    protocol: 'h1',
    client: init.client ?? '127.0.0.1',
    attempts: [],
    timing: {},
    notes: [],
    dropped: false,
    aborted: false,
    capturing: false,
    respond(response) {
      ex.responded = response;
    },
    drop() {
      ex.dropped = true;
    },
  };
  return ex;
}

/** A backend response with a body. */
export function backendResponse(status: number, headers: IncomingHttpHeaders, body: string | Buffer | Buffer[] = ''): ExchangeResponse {
  const chunks = Array.isArray(body) ? body : [Buffer.from(body)];
  return {status, headers: {...headers}, body: Readable.from(chunks), source: 'backend'};
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/**
 * Run one exchange through a feature's passes the way the pipeline does: the request pass, then the
 * backend (`backend` is called only when the pass said 'next'), then the response pass; the body is read whole.
 */
export async function runThrough(
  feature: PassFactory,
  entry: RouteEntry,
  ex: FakeExchange,
  backend: (ex: FakeExchange) => ExchangeResponse | Promise<ExchangeResponse>,
): Promise<{response: ExchangeResponse; body: Buffer; backendCalled: boolean}> {
  const requestPass = feature.request?.(entry);
  const outcome = requestPass ? await requestPass(ex) : 'next';
  let response: ExchangeResponse;
  let backendCalled = false;
  if (outcome === 'answered') {
    if (!ex.responded) return {response: {status: 0, headers: {}, body: Readable.from([]), source: 'portico'}, body: Buffer.alloc(0), backendCalled};
    response = ex.responded;
  } else {
    backendCalled = true;
    response = await backend(ex);
  }
  const responsePass = feature.response?.(entry);
  if (responsePass) response = await responsePass(ex, response);
  return {response, body: await readAll(response.body), backendCalled};
}
