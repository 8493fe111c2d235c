import {EventEmitter} from 'node:events';
import type {Status} from '../daemon/protocol.js';
import type {ExchangeCapture} from '../traffic/capture.js';
import {curlCommand} from '../traffic/curl.js';
import type {HealthEvent, RequestEvent, TrafficEvent} from '../traffic/event.js';
import {FilterError, matchFilter, parseFilter, type Filter} from '../traffic/filter.js';
import {RingBuffer} from '../traffic/ring.js';
import {RollingStats, type StatsSnapshot} from '../traffic/stats.js';
import type {DashActions} from './actions.js';
import {detailLines} from './detail-lines.js';
import {healthLines} from './health.js';
import {editText, type Keys} from './keys.js';
import {layoutRows} from './layout.js';
import type {DashLan} from './source.js';
import type {DetailView, ModelOptions, View} from './view.js';

export type {DetailView, ModelOptions, View} from './view.js';

/** How many requests a passing status line stays for, when no key clears it first. */
const TRANSIENT_EVENTS = 5;

interface State {
  paused: boolean;
  filter: Filter;
  editing?: string;
  filterError?: string;
  help: boolean;
  lanPanel: boolean;
  selected?: number;
  detail?: {event: RequestEvent; capture?: ExchangeCapture; note?: string; scroll: number};
  routesFolded?: boolean;
  message?: string;
  /** Requests that may still arrive before a passing status line (`Wrote … HAR`) clears by itself. */
  messageEvents?: number;
  missed: number;
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
  private readonly recoveries: HealthEvent[] = [];
  private readonly now: () => number;
  private readonly throttleMs: number;
  private readonly actions?: DashActions;
  private timer?: NodeJS.Timeout;
  private cached?: View;
  private state: State = {paused: false, filter: parseFilter(''), help: false, lanPanel: false, missed: 0};
  private statusValue?: Status;
  private errorValue?: string;
  private lanValue?: DashLan;
  private frozen?: RequestEvent[];
  private size = {columns: 100, rows: 30};

  constructor(options: ModelOptions = {}) {
    super();
    this.log = new RingBuffer(options.capacity ?? 500);
    this.now = options.now ?? Date.now;
    this.throttleMs = options.throttleMs ?? 200;
    this.actions = options.actions;
  }

  push(event: TrafficEvent): void {
    if (event.type === 'health') {
      if (event.healthy) {
        this.recoveries.push(event);
        if (this.recoveries.length > 8) this.recoveries.shift();
      }
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
      if (this.state.messageEvents !== undefined && --this.state.messageEvents <= 0) this.say(undefined);
    }
    this.changed();
  }

  setStatus(status: Status): void {
    this.statusValue = status;
    this.errorValue = undefined;
    this.changed();
  }

  /** LAN sharing, polled with the status: undefined while portico listens on loopback only. */
  setLan(lan: DashLan | undefined): void {
    if (lan?.page === this.lanValue?.page && lan?.qr === this.lanValue?.qr && lan?.shares.length === this.lanValue?.shares.length) return;
    this.lanValue = lan;
    this.changed(true);
  }

  setError(message: string): void {
    this.errorValue = message;
    this.changed(true);
  }

  /**
   * Show the result of an action until the next key; a passing status (`transient`) also clears
   * after a few requests, so it does not stay on a screen nobody touches.
   */
  say(message: string | undefined, options: {transient?: boolean} = {}): void {
    this.state.message = message;
    this.state.messageEvents = message !== undefined && options.transient ? TRANSIENT_EVENTS : undefined;
    this.changed(true);
  }

  /** A key (or several that arrived together) from the terminal. Returns 'quit' when the user quits. */
  key(input: string, key: Keys): 'quit' | undefined {
    const s = this.state;
    if (key.ctrl && input === 'c') return 'quit';
    if (s.message !== undefined) this.say(undefined);
    if (s.editing !== undefined) {
      const edit = editText(s.editing, input, key);
      s.editing = edit.text;
      if (edit.done === 'cancel') {
        s.editing = undefined;
        s.filterError = undefined;
      } else if (edit.done === 'apply') this.applyFilter(edit.text);
      this.changed(true);
      return undefined;
    }
    if (s.detail) return this.detailKey(input, key);
    if (s.lanPanel && this.lanValue) {
      if (input === 'q') return 'quit';
      if (key.escape || input === 'l') s.lanPanel = false;
      this.changed(true);
      return undefined;
    }
    if (s.help) {
      s.help = false;
      this.changed(true);
      return input === 'q' ? 'quit' : undefined;
    }
    const visible = this.visible();
    const selected = s.selected === undefined ? undefined : visible[s.selected];
    switch (true) {
      case input === 'q':
        return 'quit';
      case input === 'p':
        s.paused = !s.paused;
        s.missed = 0;
        this.frozen = s.paused ? visible : undefined;
        break;
      case input === '/':
        s.editing = s.filter.source;
        break;
      case input === 'c':
        this.log.clear();
        this.frozen = s.paused ? [] : undefined;
        s.selected = undefined;
        break;
      case input === '?':
        s.help = true;
        break;
      case input === 'l':
        if (this.lanValue) s.lanPanel = true;
        else s.message = 'LAN sharing is off: `portico lan on` shares routes with phones on this network.';
        break;
      case input === 't':
        s.routesFolded = !this.layout(s.routesFolded).routesFolded;
        break;
      case input === 'r' && selected !== undefined:
        this.replay(selected!);
        break;
      case input === 'y' && selected !== undefined:
        this.copyCurl(selected!, undefined);
        break;
      case input === 'w':
        this.writeHar(visible);
        break;
      case input === 'u' && selected !== undefined:
        this.useCopy(selected!);
        break;
      case key.escape === true:
        if (s.selected !== undefined) s.selected = undefined;
        else s.filter = parseFilter('');
        break;
      case key.upArrow === true:
        s.selected = visible.length === 0 ? undefined : Math.max(0, (s.selected ?? visible.length) - 1);
        break;
      case key.downArrow === true:
        s.selected = s.selected === undefined ? undefined : s.selected + 1 >= visible.length ? undefined : s.selected + 1;
        break;
      case key.return === true:
        if (selected) this.openDetail(selected);
        break;
      default:
        return undefined;
    }
    this.changed(true);
    return undefined;
  }

  private detailKey(input: string, key: Keys): undefined {
    const d = this.state.detail!;
    if (key.escape || input === 'q' || key.return) this.state.detail = undefined;
    else if (key.upArrow || input === 'k') d.scroll = Math.max(0, d.scroll - 1);
    else if (key.downArrow || input === 'j') d.scroll++;
    else if (key.pageUp || input === 'b') d.scroll = Math.max(0, d.scroll - 10);
    else if (key.pageDown || input === ' ') d.scroll += 10;
    else if (input === 'r') this.replay(d.event);
    else if (input === 'y') this.copyCurl(d.event, d.capture);
    else if (input === 'w') this.writeHar(this.visible());
    else if (input === 'u') this.useCopy(d.event);
    else if (input === 't') this.state.routesFolded = !this.layout(this.state.routesFolded).routesFolded;
    this.changed(true);
    return undefined;
  }

  private applyFilter(text: string): void {
    try {
      this.state.filter = parseFilter(text);
      this.state.editing = undefined;
      this.state.filterError = undefined;
      this.state.selected = undefined;
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      this.state.filterError = error.message;
    }
  }

  private openDetail(event: RequestEvent): void {
    const detail: State['detail'] = {event, scroll: 0};
    this.state.detail = detail;
    if (!this.actions?.exchange) return;
    if (!event.captured) {
      detail.note = 'Bodies and timing were not captured for this request (capture is on while a dashboard is open).';
      return;
    }
    detail.note = 'Loading the capture…';
    this.actions.exchange(event.id).then(
      (capture) => {
        detail.capture = capture;
        detail.note = undefined;
        this.changed(true);
      },
      (error: Error) => {
        detail.note = error.message;
        this.changed(true);
      },
    );
  }

  private replay(event: RequestEvent): void {
    if (!this.actions?.replay) return this.say('Replay needs the portico daemon.');
    this.say(`Replaying #${event.id} ${event.method} ${event.host}${event.path}…`);
    this.actions.replay(event.id).then(
      (r) => this.say(`Replayed #${event.id}: ${r.status} (${r.bytes} bytes); it is the newest entry.${r.partial ? ` Note: ${r.partial}.` : ''}`),
      (error: Error) => this.say(error.message),
    );
  }

  /**
   * `u`: the stable address serves the copy that served the selected request (`portico use`), and its
   * switch link goes to the clipboard for a browser that picked another copy (README "Copies of an app").
   */
  private useCopy(event: RequestEvent): void {
    const name = event.notes?.find((n) => n.startsWith('copy: '))?.slice('copy: '.length);
    if (!name) return this.say('The selected request was not served by a copy of an app.');
    if (!this.actions?.use) return this.say('Choosing a copy needs the portico daemon.');
    const host = event.host.replace(/:\d+$/, '');
    const app = host.startsWith(`${name}.`) ? host.slice(name.length + 1) : host;
    this.actions.use(name, app).then(
      (r) => {
        const link = `${r.stableUrl}.portico/use/${r.copy}`;
        const copied = this.actions?.copy(link) ?? false;
        this.say(
          `${r.stableUrl} now serves the copy ${r.copy}. A browser that picked another copy switches with ${link}${copied ? ' (copied to the clipboard)' : ''}.`,
        );
      },
      (error: Error) => this.say(error.message),
    );
  }

  private copyCurl(event: RequestEvent, capture: ExchangeCapture | undefined): void {
    // From the list: fetch the capture first, so the command carries the body too.
    if (!capture && event.captured && this.actions?.exchange) {
      this.actions.exchange(event.id).then(
        (c) => this.copyCurl(event, c),
        () => this.copyCurl({...event, captured: false}, undefined),
      );
      return;
    }
    const known = capture ?? {
      id: event.id,
      started: event.time,
      method: event.method,
      host: event.host,
      url: event.path,
      clientProtocol: event.protocol,
      requestHeaders: event.requestHeaders ?? {},
      status: event.status,
      timing: {},
      attempts: [],
      notes: [],
    };
    // --cacert: the pasted command works in a shell whose curl does not trust the portico CA (README "Traffic inspector").
    const command = curlCommand(known, {cacert: this.statusValue?.ca});
    const copied = this.actions?.copy(command) ?? false;
    this.say(`${copied ? 'Copied to the clipboard (OSC 52): ' : 'curl command: '}${command}`);
  }

  private writeHar(events: RequestEvent[]): void {
    if (!this.actions?.writeHar) return this.say('Writing HAR needs the portico daemon.');
    this.actions.writeHar(events).then(
      (file) => this.say(`Wrote ${events.length} requests as HAR to ${file}`, {transient: true}),
      (error: Error) => this.say(`Could not write the HAR file: ${error.message}`),
    );
  }

  private visible(): RequestEvent[] {
    const all = this.frozen ?? this.log.toArray();
    const f = this.state.filter;
    return f.terms.length === 0 ? all : all.filter((e) => matchFilter(f, e));
  }

  view(): View {
    if (this.cached) return this.cached;
    const now = this.now();
    const routes = new Map<string, StatsSnapshot>();
    for (const [key, stats] of this.perRoute) routes.set(key, stats.snapshot(now));
    const s = this.state;
    const d = s.detail;
    let detail: DetailView | undefined;
    if (d) {
      const lines = detailLines(d.event, d.capture, d.note);
      d.scroll = Math.min(d.scroll, Math.max(0, lines.length - 1));
      detail = {event: d.event, lines, scroll: d.scroll};
    }
    this.cached = {
      status: this.statusValue,
      error: this.errorValue,
      paused: s.paused,
      filter: s.filter.source,
      editing: s.editing,
      filterError: s.filterError,
      help: s.help,
      lan: this.lanValue,
      lanPanel: s.lanPanel && this.lanValue !== undefined,
      selected: s.selected,
      detail,
      log: this.visible(),
      health: healthLines(this.statusValue?.routes ?? [], this.recoveries, now),
      ...this.layout(s.routesFolded),
      message: s.message,
      total: this.total.snapshot(now),
      routes,
      missed: s.missed,
      now,
    };
    return this.cached;
  }

  /** The terminal's size, from the App when it mounts and on resize. */
  resize(columns: number, rows: number): void {
    if (columns === this.size.columns && rows === this.size.rows) return;
    this.size = {columns, rows};
    this.changed(true);
  }

  private layout(chosen: boolean | undefined): {logHeight: number; routesFolded: boolean} {
    const health = healthLines(this.statusValue?.routes ?? [], this.recoveries, this.now()).length;
    return layoutRows({
      ...this.size,
      chosen,
      routes: (this.statusValue?.routes ?? []).reduce((rows, r) => rows + (r.options ? 3 : 2), 0),
      health,
      message: this.state.message,
      headerError: this.errorValue !== undefined && this.statusValue !== undefined,
      lan: this.lanValue !== undefined,
      filterError: this.state.filterError !== undefined,
    });
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
