import {EventEmitter} from 'node:events';
import type {Status} from '../daemon/protocol.js';
import type {RequestEvent, TrafficEvent} from '../traffic/event.js';
import {RingBuffer} from '../traffic/ring.js';
import {RollingStats, type StatsSnapshot} from '../traffic/stats.js';

export interface ModelOptions {
  /** Requests kept for the log. Default 500. */
  capacity?: number;
  /** Clock. Default Date.now. */
  now?: () => number;
  /** Fewest ms between two 'change' notifications from traffic (keys notify at once). Default 200: a frame of the dashboard costs Ink ~17 ms at 160x45, and 5 frames a second is live enough. */
  throttleMs?: number;
}

/** What the components render: a plain snapshot, recomputed at most once per throttle period. */
export interface View {
  status?: Status;
  error?: string;
  paused: boolean;
  /** Filter text applied to the log. */
  filter: string;
  /** The filter being typed (after `/`), or undefined. */
  editing?: string;
  help: boolean;
  /** Index into `log` of the selected request, or undefined. */
  selected?: number;
  /** The request whose detail is open. */
  detail?: RequestEvent;
  /** Filtered log, oldest first. */
  log: RequestEvent[];
  /** Health changes, newest last (a few). */
  health: string[];
  total: StatsSnapshot;
  routes: Map<string, StatsSnapshot>;
  /** Requests dropped from the visible log while paused. */
  missed: number;
  now: number;
}

/**
 * The dashboard's state as a plain EventEmitter model: events and status go in, keys change it,
 * components subscribe to 'change' and only render. Memory is bounded (ring buffer, fixed buckets);
 * under thousands of requests per second it still notifies at most `1000 / throttleMs` times a second.
 */
export class DashModel extends EventEmitter {
  private readonly log: RingBuffer<RequestEvent>;
  private readonly total = new RollingStats(60);
  private readonly perRoute = new Map<string, RollingStats>();
  private readonly healthLines: string[] = [];
  private readonly now: () => number;
  private readonly throttleMs: number;
  private timer?: NodeJS.Timeout;
  private cached?: View;
  private state = {paused: false, filter: '', editing: undefined as string | undefined, help: false, selected: undefined as number | undefined, detail: undefined as RequestEvent | undefined, missed: 0};
  private statusValue?: Status;
  private errorValue?: string;
  private frozen?: RequestEvent[];

  constructor(options: ModelOptions = {}) {
    super();
    this.log = new RingBuffer(options.capacity ?? 500);
    this.now = options.now ?? Date.now;
    this.throttleMs = options.throttleMs ?? 200;
  }

  push(event: TrafficEvent): void {
    if (event.type === 'health') {
      this.healthLines.push(`${event.healthy ? '●' : '○'} ${event.target} ${event.healthy ? 'up' : `down${event.error ? ` (${event.error})` : ''}`} · ${event.route}`);
      if (this.healthLines.length > 3) this.healthLines.shift();
    } else {
      const failed = event.status >= 500 || event.error !== undefined;
      this.total.add(event.time, event.duration, failed);
      if (event.route) {
        let stats = this.perRoute.get(event.route);
        if (!stats) this.perRoute.set(event.route, (stats = new RollingStats(60)));
        stats.add(event.time, event.duration, failed);
      }
      this.log.push(event);
      if (this.state.paused) this.state.missed++;
    }
    this.changed();
  }

  setStatus(status: Status): void {
    this.statusValue = status;
    this.errorValue = undefined;
    this.changed();
  }

  setError(message: string): void {
    this.errorValue = message;
    this.changed(true);
  }

  /** A key from the terminal. Returns 'quit' when the user quits. */
  key(input: string, key: {upArrow?: boolean; downArrow?: boolean; return?: boolean; escape?: boolean; backspace?: boolean; delete?: boolean; ctrl?: boolean}): 'quit' | undefined {
    const s = this.state;
    if (key.ctrl && input === 'c') return 'quit';
    if (s.editing !== undefined) {
      if (key.return) {
        s.filter = s.editing;
        s.editing = undefined;
        s.selected = undefined;
      } else if (key.escape) s.editing = undefined;
      else if (key.backspace || key.delete) s.editing = s.editing.slice(0, -1);
      else if (input && !key.ctrl) s.editing += input;
      this.changed(true);
      return undefined;
    }
    if (s.detail) {
      if (key.escape || input === 'q' || key.return) s.detail = undefined;
      this.changed(true);
      return undefined;
    }
    if (s.help) {
      s.help = false;
      this.changed(true);
      return input === 'q' ? 'quit' : undefined;
    }
    const visible = this.visible();
    switch (true) {
      case input === 'q':
        return 'quit';
      case input === 'p':
        s.paused = !s.paused;
        s.missed = 0;
        this.frozen = s.paused ? visible : undefined;
        break;
      case input === '/':
        s.editing = s.filter;
        break;
      case input === 'c':
        this.log.clear();
        this.frozen = s.paused ? [] : undefined;
        s.selected = undefined;
        break;
      case input === '?':
        s.help = true;
        break;
      case key.escape === true:
        if (s.selected !== undefined) s.selected = undefined;
        else s.filter = '';
        break;
      case key.upArrow === true:
        s.selected = visible.length === 0 ? undefined : Math.max(0, (s.selected ?? visible.length) - 1);
        break;
      case key.downArrow === true:
        s.selected = s.selected === undefined ? undefined : s.selected + 1 >= visible.length ? undefined : s.selected + 1;
        break;
      case key.return === true:
        if (s.selected !== undefined) s.detail = visible[s.selected];
        break;
      default:
        return undefined;
    }
    this.changed(true);
    return undefined;
  }

  private visible(): RequestEvent[] {
    const all = this.frozen ?? this.log.toArray();
    const f = this.state.filter.toLowerCase();
    if (!f) return all;
    return all.filter((e) => `${e.method} ${e.status} ${e.host}${e.path} ${e.target ?? ''} ${e.protocol} ${e.error ?? ''}`.toLowerCase().includes(f));
  }

  view(): View {
    if (this.cached) return this.cached;
    const now = this.now();
    const routes = new Map<string, StatsSnapshot>();
    for (const [key, stats] of this.perRoute) routes.set(key, stats.snapshot(now));
    this.cached = {
      status: this.statusValue,
      error: this.errorValue,
      paused: this.state.paused,
      filter: this.state.filter,
      editing: this.state.editing,
      help: this.state.help,
      selected: this.state.selected,
      detail: this.state.detail,
      log: this.visible(),
      health: [...this.healthLines],
      total: this.total.snapshot(now),
      routes,
      missed: this.state.missed,
      now,
    };
    return this.cached;
  }

  /** Coalesce changes: at most one notification per throttle period (keys notify at once). */
  private changed(immediate = false): void {
    this.cached = undefined;
    if (immediate) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.emit('change');
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emit('change');
    }, this.throttleMs);
  }

  /** Re-render periodically even without traffic (rates decay, uptime moves). */
  tick(): void {
    this.changed();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.removeAllListeners();
  }
}
