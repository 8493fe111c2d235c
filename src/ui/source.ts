import QRCode from 'qrcode';
import {call, streamEvents} from '../daemon/client.js';
import {lanSummary, type LanSummary} from '../lan/summary.js';
import type {ReplayResult, Status, UseCopyResult} from '../daemon/protocol.js';
import type {StatePaths} from '../state/home.js';
import type {ExchangeCapture} from '../traffic/capture.js';
import type {TrafficEvent} from '../traffic/event.js';

/** LAN sharing as the dashboard shows it: the summary and the QR code of the CA page, as text. */
export interface DashLan extends LanSummary {
  /** The page URL as a QR code drawn with Unicode half blocks (qrcode's utf8 output). */
  qr: string;
}

/** Where the dashboard gets its data: the daemon's control socket, or plain arrays in tests. */
export interface DashSource {
  /** Current status; polled about once a second. */
  status(): Promise<Status>;
  /** Live events (recent history first). Returns an unsubscribe. */
  subscribe(onEvent: (event: TrafficEvent) => void, onError: (error: Error) => void): () => void;
  /** LAN sharing (`portico lan on`), polled with the status; undefined while it is off. */
  lan?(): Promise<DashLan | undefined>;
  /** One exchange's capture (bodies, timing, attempts); rejects when it was not captured. */
  exchange?(id: number): Promise<ExchangeCapture>;
  /** Every capture the daemon holds, oldest first (for HAR). */
  captures?(): Promise<ExchangeCapture[]>;
  /** Send a request again through the proxy. */
  replay?(id: number): Promise<ReplayResult>;
  /** `portico use`: the copy the stable host serves by default (README "Copies of an app"). */
  use?(copy: string, app: string): Promise<UseCopyResult>;
}

/** The daemon as a source: /status and the /events stream with capture on (for the detail view). */
export function daemonSource(paths: StatePaths): DashSource {
  // The QR code is drawn once per page URL, not on every poll.
  let drawn: {page: string; qr: string} | undefined;
  return {
    async lan() {
      const summary = lanSummary(paths.home);
      if (!summary) return undefined;
      if (drawn?.page !== summary.page) drawn = {page: summary.page, qr: await QRCode.toString(summary.page, {type: 'utf8'})};
      return {...summary, qr: drawn.qr};
    },
    // Targets of routes without traffic are probed at most every 2 s while the dashboard shows their health.
    status: () => call(paths, 'probedStatus', {maxAgeMs: 2000}, {timeoutMs: 5000}),
    subscribe(onEvent, onError) {
      const controller = new AbortController();
      streamEvents(paths, onEvent, {history: 200, headers: true, capture: true, signal: controller.signal}).then(() => {
        if (!controller.signal.aborted) onError(new Error('The portico daemon stopped.'));
      }, onError);
      return () => controller.abort();
    },
    exchange: (id) => call(paths, 'exchange', {id}, {timeoutMs: 5000}),
    captures: () => call(paths, 'exchanges', undefined, {timeoutMs: 15_000}),
    replay: (id) => call(paths, 'replay', {id}, {timeoutMs: 35_000}),
    use: (copy, app) => call(paths, 'useCopy', {copy, app}),
  };
}
