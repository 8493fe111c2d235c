import type {TrafficEvent, TrafficSink} from '../traffic/event.js';

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
 */
export class EventHub implements TrafficSink {
  readonly active = true;
  private readonly buffer: Array<TrafficEvent | undefined>;
  private next = 0;
  private count = 0;
  private readonly subscribers = new Set<Subscriber>();
  private headerSubscribers = 0;

  constructor(private readonly capacity = 1000) {
    this.buffer = new Array(capacity);
  }

  get wantsHeaders(): boolean {
    return this.headerSubscribers > 0;
  }

  emit(event: TrafficEvent): void {
    this.buffer[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    for (const s of this.subscribers) s.send(event);
  }

  /** The last `limit` events, oldest first. */
  history(limit = this.capacity): TrafficEvent[] {
    const n = Math.min(limit, this.count);
    const out: TrafficEvent[] = [];
    for (let i = n; i > 0; i--) out.push(this.buffer[(this.next - i + this.capacity) % this.capacity]!);
    return out;
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
