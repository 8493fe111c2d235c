import type {Status} from '../daemon/protocol.js';
import type {RequestEvent} from '../traffic/event.js';
import type {StatsSnapshot} from '../traffic/stats.js';
import type {DashActions} from './actions.js';
import type {DetailLine} from './detail-lines.js';
import type {HealthLine} from './health.js';
import type {DashLan} from './source.js';

export interface ModelOptions {
  /** Requests kept for the log. Default 500. */
  capacity?: number;
  /** Clock. Default Date.now. */
  now?: () => number;
  /** Fewest ms between two 'change' notifications from traffic (keys notify at once). Default 200: a frame of the dashboard costs Ink ~17 ms at 160x45, and 5 frames a second is live enough. */
  throttleMs?: number;
  /** What replay, copy, capture and HAR keys do. Default: nothing beyond the model. */
  actions?: DashActions;
}

export interface DetailView {
  event: RequestEvent;
  lines: DetailLine[];
  /** First line shown. */
  scroll: number;
}

/** What the components render: a plain snapshot, recomputed at most once per throttle period. */
export interface View {
  status?: Status;
  error?: string;
  paused: boolean;
  /** Filter applied to the log. */
  filter: string;
  /** The filter being typed (after `/`), or undefined. */
  editing?: string;
  /** Why the typed filter was refused. */
  filterError?: string;
  help: boolean;
  /** Set while portico listens beyond loopback (`portico lan on`). */
  lan?: DashLan;
  /** The LAN panel (QR code and page URL) is open: `l`, while sharing is on. */
  lanPanel: boolean;
  /** Index into `log` of the selected request, or undefined. */
  selected?: number;
  /** The request whose detail is open. */
  detail?: DetailView;
  /** Filtered log, oldest first. */
  log: RequestEvent[];
  /** Targets down now, and recent recoveries. */
  health: HealthLine[];
  /** Routes panel folded to one line: by `t`, or because the terminal is too short for 10 log lines. */
  routesFolded: boolean;
  /** Rows the log (or the detail) gets. */
  logHeight: number;
  /** The result of the last action (replay, copy, HAR), shown above the footer. */
  message?: string;
  total: StatsSnapshot;
  routes: Map<string, StatsSnapshot>;
  /** Requests dropped from the visible log while paused. */
  missed: number;
  now: number;
}
