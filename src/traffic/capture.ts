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
 * its reader's), at most BODY_LIMIT bytes together. The capture store copies them once, into a slab.
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
    // A reference, not a copy: a stream does not reuse a chunk it emitted, and the store copies what
    // it keeps when the exchange ends. But a small slice of a much larger buffer (one read holding
    // many HTTP/2 frames) is copied, so that a recording never keeps more alive than it records.
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    // (`new Uint8Array` copies into a buffer of its own size: `Buffer.from` would take Node's pool.)
    this.chunks.push(part.buffer.byteLength > 2 * part.length + 4096 ? new Uint8Array(part) : part);
    this.kept += part.length;
  }

  finish(): KeptBody {
    return {size: this.size, truncated: this.size > this.kept, chunks: this.chunks};
  }
}

/** Rough bytes a capture holds in memory (bodies plus headers), for the total limit. */
function captureWeight(capture: StoredCapture['capture'], bodyBytes: number): number {
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

/** Bytes of one slab: room for a capture's two bodies eight times over. */
export const SLAB_BYTES = 1024 * 1024;

/**
 * Where the store keeps captured bodies: 1 MiB slabs, each filled in arrival order and freed (one kept
 * for reuse) once the last capture in it is evicted. A body is copied once, and never
 * becomes garbage for the collector to find: a 64 KiB copy per captured response made ~120 MB of
 * external memory wait for V8's next full collection under 100 KB responses. Memory follows what is
 * kept: a few small bodies hold one slab, not the whole bound.
 */
class Slab {
  readonly buffer = Buffer.allocUnsafeSlow(SLAB_BYTES);
  used = 0;
  /** Captures whose bodies are in it. */
  live = 0;
}

interface StoredBody {
  size: number;
  truncated: boolean;
  /** Where its kept bytes start in its capture's slab, and how many. */
  start: number;
  length: number;
}

interface StoredCapture {
  capture: Omit<KeptCapture, 'requestBody' | 'responseBody'>;
  requestBody?: StoredBody;
  responseBody?: StoredBody;
  /** Holds its bodies; absent without bodies. */
  slab?: Slab;
  weight: number;
}

/**
 * The daemon's captures, oldest evicted first when the total size, the count or the slabs holding
 * their bodies exceed the bounds: memory stays bounded at any traffic. The Map finds a capture
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
  /** The slab new bodies go to, how many slabs hold bodies, and an emptied one kept for reuse. */
  private slab: Slab | undefined;
  private slabs = 0;
  private readonly spare: Slab[] = [];
  private readonly totalBytes: number;
  private readonly count: number;
  /** Slabs the byte limit allows (one at least). */
  private readonly maxSlabs: number;

  constructor(options: CaptureStoreOptions = {}) {
    this.totalBytes = options.totalBytes ?? TOTAL_LIMIT;
    this.count = options.count ?? COUNT_LIMIT;
    this.maxSlabs = Math.max(1, Math.floor(this.totalBytes / SLAB_BYTES));
  }

  /** Bytes of the slabs holding bodies now (spare ones not counted). */
  get slabBytes(): number {
    return this.slabs * SLAB_BYTES;
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
    // Both bodies in one piece of one slab, copied as they are recorded: once.
    const bodies = [
      ['requestBody', requestBody],
      ['responseBody', responseBody],
    ] as const;
    let bodyBytes = 0;
    for (const [, body] of bodies) for (const chunk of body?.chunks ?? []) bodyBytes += chunk.byteLength;
    const slab = bodyBytes > 0 ? this.slabFor(bodyBytes) : undefined;
    const stored: StoredCapture = {capture, weight: 0};
    let at = slab?.used ?? 0;
    for (const [key, body] of bodies) {
      if (!body) continue;
      const start = at;
      for (const chunk of body.chunks) {
        slab!.buffer.set(chunk, at);
        at += chunk.byteLength;
      }
      stored[key] = {size: body.size, truncated: body.truncated, start, length: at - start};
    }
    if (slab) {
      slab.used = at;
      slab.live++;
      stored.slab = slab;
    }
    stored.weight = captureWeight(capture, bodyBytes);
    this.remove(capture.id);
    this.items.set(capture.id, stored);
    this.queue.push(stored);
    this.bytes += stored.weight;
    while (this.head < this.queue.length) {
      const oldest = this.queue[this.head]!;
      const live = this.items.get(oldest.capture.id) === oldest;
      if (live && this.bytes <= this.totalBytes && this.items.size <= this.count && this.slabs <= this.maxSlabs) break;
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
    this.slab = undefined;
    this.slabs = 0;
    this.spare.length = 0;
  }

  /** The current slab when `length` more bytes fit in it, else a fresh one (reused when one is spare). */
  private slabFor(length: number): Slab {
    if (this.slab && this.slab.used + length <= SLAB_BYTES) return this.slab;
    const previous = this.slab;
    const slab = this.spare.pop() ?? new Slab();
    slab.used = 0;
    this.slab = slab;
    this.slabs++;
    // The slab just left may hold no live capture any more (all replaced): free it now.
    if (previous && previous.live === 0) this.release(previous);
    return slab;
  }

  private release(slab: Slab): void {
    this.slabs--;
    if (this.spare.length === 0) this.spare.push(slab);
  }

  private exchange(stored: StoredCapture): ExchangeCapture {
    const {websocket, ...facts} = stored.capture;
    const capture: ExchangeCapture = facts;
    if (stored.requestBody) capture.requestBody = this.body(stored.requestBody, stored.slab);
    if (stored.responseBody) capture.responseBody = this.body(stored.responseBody, stored.slab);
    if (websocket)
      capture.websocket = {
        messages: websocket.messages.map(({bytes, ...m}) => ({...m, base64: base64(bytes)})),
        dropped: websocket.dropped,
      };
    return capture;
  }

  private body(body: StoredBody, slab: Slab | undefined): CapturedBody {
    const bytes = body.length > 0 ? slab!.buffer.toString('base64', body.start, body.start + body.length) : '';
    return {size: body.size, truncated: body.truncated, base64: bytes};
  }

  private remove(id: number): void {
    const item = this.items.get(id);
    if (!item) return;
    this.items.delete(id);
    this.bytes -= item.weight;
    if (item.slab && --item.slab.live === 0 && item.slab !== this.slab) this.release(item.slab);
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
