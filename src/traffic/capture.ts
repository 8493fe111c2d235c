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

/** Collects a body's first `limit` bytes and counts the rest; never holds more than `limit`. */
export class BodyRecorder {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  size = 0;

  constructor(private readonly limit = BODY_LIMIT) {}

  add(chunk: Buffer): void {
    this.size += chunk.length;
    const room = this.limit - this.kept;
    if (room <= 0) return;
    // A copy: the caller's buffer may be pooled and reused once written.
    const part = Buffer.from(chunk.subarray(0, room));
    this.chunks.push(part);
    this.kept += part.length;
  }

  finish(): CapturedBody {
    return {size: this.size, truncated: this.size > this.kept, base64: Buffer.concat(this.chunks).toString('base64')};
  }
}

/** Rough bytes a capture holds in memory (base64 bodies plus headers), for the total limit. */
export function captureWeight(capture: ExchangeCapture): number {
  let weight = 512 + capture.url.length;
  for (const headers of [capture.requestHeaders, capture.responseHeaders]) {
    if (!headers) continue;
    for (const name in headers) weight += name.length + String(headers[name]).length + 8;
  }
  weight += (capture.requestBody?.base64.length ?? 0) + (capture.responseBody?.base64.length ?? 0);
  for (const m of capture.websocket?.messages ?? []) weight += m.base64.length + 48;
  return weight;
}

export interface CaptureStoreOptions {
  /** Bytes all captures may hold. Default TOTAL_LIMIT (32 MiB). */
  totalBytes?: number;
  /** Exchanges kept at most. Default COUNT_LIMIT (5000). */
  count?: number;
}

interface StoredCapture {
  capture: ExchangeCapture;
  weight: number;
}

/**
 * The daemon's captures, oldest evicted first when the total size or count is exceeded: memory
 * stays bounded at any traffic. The Map finds a capture by id; the queue holds them in arrival order
 * for eviction. (Evicting by iterating the Map from its start cost ~4 µs per capture under load: a
 * Map keeps deleted entries as holes until it rehashes, and every iteration walked over them.)
 */
export class CaptureStore {
  private readonly items = new Map<number, StoredCapture>();
  /** Every stored capture in arrival order, from `head` on; entries replaced or removed since are skipped. */
  private queue: StoredCapture[] = [];
  private head = 0;
  private bytes = 0;
  private readonly totalBytes: number;
  private readonly count: number;

  constructor(options: CaptureStoreOptions = {}) {
    this.totalBytes = options.totalBytes ?? TOTAL_LIMIT;
    this.count = options.count ?? COUNT_LIMIT;
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  get length(): number {
    return this.items.size;
  }

  add(capture: ExchangeCapture): void {
    const stored = {capture, weight: captureWeight(capture)};
    this.remove(capture.id);
    this.items.set(capture.id, stored);
    this.queue.push(stored);
    this.bytes += stored.weight;
    while ((this.bytes > this.totalBytes || this.items.size > this.count) && this.head < this.queue.length) {
      const oldest = this.queue[this.head++];
      if (this.items.get(oldest.capture.id) === oldest) this.remove(oldest.capture.id);
    }
    // Drop the queue's spent front (and stale entries of replaced captures) once it outgrows the store.
    if (this.head > 1024 || this.queue.length > 2 * this.items.size + 1024) this.compact();
  }

  get(id: number): ExchangeCapture | undefined {
    return this.items.get(id)?.capture;
  }

  /** Every capture, oldest first. */
  all(): ExchangeCapture[] {
    return [...this.items.values()].map((i) => i.capture);
  }

  clear(): void {
    this.items.clear();
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
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
      const stored = this.queue[i];
      if (this.items.get(stored.capture.id) === stored) live.push(stored);
    }
    this.queue = live;
    this.head = 0;
  }
}
