import type {TrafficEvent, TrafficSink} from '../traffic/event.js';
import {RingBuffer} from '../traffic/ring.js';

export interface Subscriber {
  /** Wants request/response headers in events (the dashboard's detail view). */
  headers: boolean;
  send(event: TrafficEvent): void;
  /** The daemon is stopping: finish the stream cleanly. */
  end(): void;
}

/**
 * The daemon's TrafficSink: keeps the last `capacity` events for `logs` and a dashboard that
 * attaches later, and fans events out to live subscribers. emit() is O(1) and allocation-free.
 * Always active: `logs` and a dashboard opened later show the traffic that came before them.
 */
export class EventHub implements TrafficSink {
  readonly active = true;
  private readonly recent: RingBuffer<TrafficEvent>;
  private readonly subscribers = new Set<Subscriber>();
  private headerSubscribers = 0;

  constructor(capacity = 1000) {
    this.recent = new RingBuffer(capacity);
  }

  get wantsHeaders(): boolean {
    return this.headerSubscribers > 0;
  }

  emit(event: TrafficEvent): void {
    this.recent.push(event);
    for (const s of this.subscribers) s.send(event);
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
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    if (subscriber.headers) this.headerSubscribers++;
    return () => {
      if (this.subscribers.delete(subscriber) && subscriber.headers) this.headerSubscribers--;
    };
  }
}
