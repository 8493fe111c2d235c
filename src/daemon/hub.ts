import type {TrafficEvent, TrafficSink} from '../traffic/event.js';
import {CaptureStore, type CaptureStoreOptions, type KeptCapture} from '../traffic/capture.js';
import {RingBuffer} from '../traffic/ring.js';

export interface Subscriber {
  /** Wants request/response headers in events (the dashboard's detail view). */
  headers: boolean;
  /** Wants exchanges captured (bodies, timing, attempts) while it is attached. Implies headers. */
  capture?: boolean;
  send(event: TrafficEvent): void;
  /** The daemon is stopping: finish the stream cleanly. */
  end(): void;
}

/**
 * The daemon's TrafficSink: keeps the last `capacity` events for `logs` and a dashboard that
 * attaches later, and fans events out to live subscribers. emit() is O(1) and allocation-free.
 * Always active: `logs` and a dashboard opened later show the traffic that came before them.
 * Captures (bodies and timing) are taken only while a subscriber asks for them, and kept in a
 * bounded store after it leaves, so `logs --har` and a reopened dashboard still see them.
 */
export class EventHub implements TrafficSink {
  readonly active = true;
  private readonly recent: RingBuffer<TrafficEvent>;
  private readonly subscribers = new Set<Subscriber>();
  private headerSubscribers = 0;
  private captureSubscribers = 0;
  readonly captures: CaptureStore;
  /** Called when what viewers want (headers, captures) changes: workers mirror it (workers.ts). */
  onWatchChange?: () => Promise<void>;
  /** Resolves once the last change of what viewers want is in force everywhere (in every worker too). */
  settled: Promise<void> = Promise.resolve();

  constructor(capacity = 1000, captures: CaptureStoreOptions = {}) {
    this.recent = new RingBuffer(capacity);
    this.captures = new CaptureStore(captures);
  }

  get wantsHeaders(): boolean {
    return this.headerSubscribers > 0;
  }

  get wantsCapture(): boolean {
    return this.captureSubscribers > 0;
  }

  emit(event: TrafficEvent): void {
    this.recent.push(event);
    for (const s of this.subscribers) s.send(event);
  }

  capture(capture: KeptCapture): void {
    this.captures.add(capture);
  }

  /** The last `limit` events, oldest first. */
  history(limit = this.recent.capacity): TrafficEvent[] {
    return limit > 0 ? this.recent.toArray().slice(-limit) : [];
  }

  /** End every subscriber's stream (the daemon is stopping), so followers exit instead of hanging on. */
  close(): void {
    for (const s of [...this.subscribers]) s.end();
    this.subscribers.clear();
    this.headerSubscribers = 0;
    this.captureSubscribers = 0;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    if (subscriber.headers || subscriber.capture) this.headerSubscribers++;
    if (subscriber.capture) this.captureSubscribers++;
    if (this.onWatchChange) this.settled = this.onWatchChange();
    return () => {
      if (!this.subscribers.delete(subscriber)) return;
      if (subscriber.headers || subscriber.capture) this.headerSubscribers--;
      if (subscriber.capture) this.captureSubscribers--;
      if (this.onWatchChange) this.settled = this.onWatchChange();
    };
  }
}
