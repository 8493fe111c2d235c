/**
 * What the dashboard's detail view, replay, `curl` and HAR need of one exchange, beyond its event:
 * headers, bounded bodies, timing, attempts and WebSocket messages. Captured only while a viewer
 * asks for it (the dashboard subscribes with `capture=1`), so the hot path stays lean otherwise.
 */
import type {ExchangeAttempt, ExchangeTiming} from './timing.js';

/** Bytes kept of each request body and each response body. Beyond it only the size is counted. */
export const BODY_LIMIT = 64 * 1024;
/** Bytes all captures together may hold; the oldest go first. */
export const TOTAL_LIMIT = 32 * 1024 * 1024;
/** Exchanges kept at most, whatever their size (matches the event history the dashboard replays). */
export const COUNT_LIMIT = 5000;
/** WebSocket messages kept per connection, and bytes kept of each. */
export const WS_MESSAGE_LIMIT = 200;
export const WS_MESSAGE_BYTES = 4 * 1024;

export type Headers = Record<string, string | string[]>;

/** A body as it went over the wire (still compressed when it was), up to BODY_LIMIT bytes. */
export interface CapturedBody {
  /** Bytes of the whole body, kept or not. */
  size: number;
  /** True when only the first BODY_LIMIT bytes were kept. */
  truncated: boolean;
  /** The kept bytes, base64. */
  base64: string;
}

export interface WsMessage {
  /** Milliseconds since the exchange started. */
  at: number;
  /** `client` sent it to the backend, or `backend` to the client. */
  from: 'client' | 'backend';
  /** Raw bytes of the chunk as it crossed (frames, masked when from a client), up to WS_MESSAGE_BYTES. */
  size: number;
  base64: string;
}

/**
 * A body as a recording hands it over: the chunks as they crossed (not copied: a stream's chunks are
 * its reader's), at most BODY_LIMIT bytes together. The capture store copies them once, into its ring.
 */
export interface KeptBody {
  size: number;
  truncated: boolean;
  /** Uint8Arrays once they have crossed from a worker process (structured clone). */
  chunks: Uint8Array[];
}

/** A WebSocket message as recorded: its own copy of the first WS_MESSAGE_BYTES. */
export type KeptWsMessage = Omit<WsMessage, 'base64'> & {bytes: Uint8Array};

/** An exchange as a recording completes it (bodies as chunks, messages as bytes); `CaptureStore` gives out ExchangeCaptures. */
export type KeptCapture = Omit<ExchangeCapture, 'requestBody' | 'responseBody' | 'websocket'> & {
  requestBody?: KeptBody;
  responseBody?: KeptBody;
  websocket?: {messages: KeptWsMessage[]; dropped: number};
};

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** One exchange as the detail view, replay and HAR see it. `id` is its RequestEvent's id. */
export interface ExchangeCapture {
  id: number;
  /** Epoch milliseconds. */
  started: number;
  method: string;
  host: string;
  /** Path and query as the client sent them. */
  url: string;
  /** The protocol between the client and portico, and between portico and the backend. */
  clientProtocol: 'h1' | 'h2' | 'ws';
  backendProtocol?: 'http/1.1';
  route?: string;
  requestHeaders: Headers;
  requestBody?: CapturedBody;
  status: number;
  /** The response headers exactly as the client got them (no hop-by-hop ones). */
  responseHeaders?: Headers;
  responseBody?: CapturedBody;
  /** Who answered: the backend, or portico itself (its 404/502/504/508 pages), or the cache. */
  source?: 'backend' | 'portico' | 'cache';
  timing: ExchangeTiming;
  attempts: ExchangeAttempt[];
  notes: string[];
  error?: string;
  websocket?: {messages: WsMessage[]; dropped: number};
}

/** Collects a body's first `limit` bytes and counts the rest; never refers to more than `limit` bytes. */
export class BodyRecorder {
  private readonly chunks: Uint8Array[] = [];
  private kept = 0;
  size = 0;

  constructor(private readonly limit = BODY_LIMIT) {}

  add(chunk: Buffer): void {
    this.size += chunk.length;
    const room = this.limit - this.kept;
    if (room <= 0) return;
    // A reference, not a copy: a stream does not reuse a chunk it emitted, and the exchange ends (and
    // the store copies what it keeps) long before anything else could.
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.length;
  }

  finish(): KeptBody {
    return {size: this.size, truncated: this.size > this.kept, chunks: this.chunks};
  }
}

/** Rough bytes a capture holds in memory (bodies plus headers), for the total limit. */
function captureWeight(capture: KeptCapture | StoredCapture['capture'], bodyBytes: number): number {
  let weight = 512 + capture.url.length + bodyBytes;
  for (const headers of [capture.requestHeaders, capture.responseHeaders]) {
    if (!headers) continue;
    for (const name in headers) weight += name.length + String(headers[name]).length + 8;
  }
  for (const m of capture.websocket?.messages ?? []) weight += m.bytes.byteLength + 48;
  return weight;
}

export interface CaptureStoreOptions {
  /** Bytes all captures may hold. Default TOTAL_LIMIT (32 MiB). */
  totalBytes?: number;
  /** Exchanges kept at most. Default COUNT_LIMIT (5000). */
  count?: number;
}

/**
 * Where the store keeps captured bodies: one buffer of the store's byte limit, written round and
 * round. A body is copied in once, in arrival order, and overwritten a lap later; the store has
 * evicted its capture by then. Bodies never become garbage for the collector to find (a 64 KiB
 * copy per captured response made ~120 MB of external memory wait for V8's next full collection
 * under 100 KB responses). Positions are offsets into the endless stream of bytes written.
 */
class ByteRing {
  private buffer: Buffer | undefined;
  /** Bytes written since the ring was made, skipped tails included. */
  written = 0;

  constructor(readonly capacity: number) {}

  /** Copy `chunks` (`length` bytes together, at most the capacity) in one piece; returns where they start. */
  write(chunks: readonly Uint8Array[], length: number): number {
    // Pages are touched as they are written: the ring costs memory as it fills, never more than its capacity.
    this.buffer ??= Buffer.allocUnsafeSlow(this.capacity);
    let at = this.written % this.capacity;
    if (at + length > this.capacity) {
      this.written += this.capacity - at;
      at = 0;
    }
    const start = this.written;
    for (const chunk of chunks) {
      this.buffer.set(chunk, at);
      at += chunk.byteLength;
    }
    this.written += length;
    return start;
  }

  /** False once bytes written from `start` on may have been overwritten. */
  holds(start: number): boolean {
    return start >= this.written - this.capacity;
  }

  read(start: number, length: number): Buffer {
    const at = start % this.capacity;
    return this.buffer!.subarray(at, at + length);
  }
}

interface StoredBody {
  size: number;
  truncated: boolean;
  /** Where its kept bytes start in the ring, and how many. */
  start: number;
  length: number;
}

interface StoredCapture {
  capture: Omit<KeptCapture, 'requestBody' | 'responseBody'>;
  requestBody?: StoredBody;
  responseBody?: StoredBody;
  /** Where its bodies (request, then response) start in the ring; without bodies, where the next would have. */
  start: number;
  weight: number;
}

/**
 * The daemon's captures, oldest evicted first when the total size or count is exceeded, or when
 * the ring needs their bodies' bytes: memory stays bounded at any traffic. The Map finds a capture
 * by id; the queue holds them in arrival order for eviction. (Evicting by iterating the Map from
 * its start cost ~4 µs per capture under load: a Map keeps deleted entries as holes until it
 * rehashes, and every iteration walked over them.)
 */
export class CaptureStore {
  private readonly items = new Map<number, StoredCapture>();
  /** Every stored capture in arrival order, from `head` on; entries replaced or removed since are skipped. */
  private queue: StoredCapture[] = [];
  private head = 0;
  private bytes = 0;
  private ring: ByteRing;
  private readonly totalBytes: number;
  private readonly count: number;

  constructor(options: CaptureStoreOptions = {}) {
    this.totalBytes = options.totalBytes ?? TOTAL_LIMIT;
    this.count = options.count ?? COUNT_LIMIT;
    this.ring = new ByteRing(this.ringCapacity());
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  get length(): number {
    return this.items.size;
  }

  add(kept: KeptCapture): void {
    const {requestBody, responseBody, ...capture} = kept;
    // Both bodies in one piece, so that writing one can never overwrite the other.
    const chunks = [...(requestBody?.chunks ?? []), ...(responseBody?.chunks ?? [])];
    let bodyBytes = 0;
    for (const chunk of chunks) bodyBytes += chunk.byteLength;
    // A capture without bodies takes the ring's position too: starts grow along the queue, so the
    // eviction below finds every capture whose bytes a lap overwrote at the front.
    const start = bodyBytes > 0 ? this.ring.write(chunks, bodyBytes) : this.ring.written;
    const stored: StoredCapture = {capture, start, weight: 0};
    let at = start;
    for (const [key, body] of [
      ['requestBody', requestBody],
      ['responseBody', responseBody],
    ] as const) {
      if (!body) continue;
      let length = 0;
      for (const chunk of body.chunks) length += chunk.byteLength;
      stored[key] = {size: body.size, truncated: body.truncated, start: at, length};
      at += length;
    }
    stored.weight = captureWeight(capture, bodyBytes);
    this.remove(capture.id);
    this.items.set(capture.id, stored);
    this.queue.push(stored);
    this.bytes += stored.weight;
    while (this.head < this.queue.length) {
      const oldest = this.queue[this.head]!;
      const live = this.items.get(oldest.capture.id) === oldest;
      if (live && this.bytes <= this.totalBytes && this.items.size <= this.count && this.ring.holds(oldest.start)) break;
      this.head++;
      if (live) this.remove(oldest.capture.id);
    }
    // Drop the queue's spent front (and stale entries of replaced captures) once it outgrows the store.
    if (this.head > 1024 || this.queue.length > 2 * this.items.size + 1024) this.compact();
  }

  /** The capture of exchange `id`, bodies and messages as base64 (encoded now). */
  get(id: number): ExchangeCapture | undefined {
    const stored = this.items.get(id);
    return stored && this.exchange(stored);
  }

  /** Every capture, oldest first. */
  all(): ExchangeCapture[] {
    return [...this.items.values()].map((stored) => this.exchange(stored));
  }

  clear(): void {
    this.items.clear();
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
    this.ring = new ByteRing(this.ringCapacity());
  }

  /** The byte limit, but room for one body at least however small the limit. */
  private ringCapacity(): number {
    return Math.max(this.totalBytes, 2 * BODY_LIMIT);
  }

  private exchange(stored: StoredCapture): ExchangeCapture {
    const {websocket, ...facts} = stored.capture;
    const capture: ExchangeCapture = facts;
    if (stored.requestBody) capture.requestBody = this.body(stored.requestBody);
    if (stored.responseBody) capture.responseBody = this.body(stored.responseBody);
    if (websocket)
      capture.websocket = {
        messages: websocket.messages.map(({bytes, ...m}) => ({...m, base64: base64(bytes)})),
        dropped: websocket.dropped,
      };
    return capture;
  }

  private body(body: StoredBody): CapturedBody {
    const bytes = body.length > 0 ? this.ring.read(body.start, body.length).toString('base64') : '';
    return {size: body.size, truncated: body.truncated, base64: bytes};
  }

  private remove(id: number): void {
    const item = this.items.get(id);
    if (!item) return;
    this.items.delete(id);
    this.bytes -= item.weight;
  }

  private compact(): void {
    const live: StoredCapture[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const stored = this.queue[i]!;
      if (this.items.get(stored.capture.id) === stored) live.push(stored);
    }
    this.queue = live;
    this.head = 0;
  }
}
