import path from 'node:path';
import type {ReplayResult, UseCopyResult} from '../daemon/protocol.js';
import type {ExchangeCapture} from '../traffic/capture.js';
import type {RequestEvent} from '../traffic/event.js';
import {writeFileAtomic} from '../state/atomic.js';
import {buildHar, TRAFFIC_FILE_MODE} from '../traffic/har.js';
import {VERSION} from '../version.js';
import {copyToTerminal} from './clipboard.js';
import type {DashSource} from './source.js';

/** What the dashboard's keys do outside the model: fetch a capture, replay, copy, write a HAR file. */
export interface DashActions {
  exchange?(id: number): Promise<ExchangeCapture>;
  replay?(id: number): Promise<ReplayResult>;
  /** Make `copy` the one `app` (its stable host) serves by default. */
  use?(copy: string, app: string): Promise<UseCopyResult>;
  /** Copy text to the clipboard; true when it went to the terminal (OSC 52). */
  copy(text: string): boolean;
  /** Write the given requests (and what was captured of them) as HAR; resolves to the file's path. */
  writeHar?(events: RequestEvent[]): Promise<string>;
}

export interface ActionOptions {
  source: DashSource;
  stdout?: NodeJS.WriteStream;
  /** Where HAR files go. Default: the current directory. */
  dir?: string;
  now?: () => Date;
  /** Keep Authorization, Cookie, Set-Cookie and Proxy-Authorization values in HAR files (`dash --with-secrets`). */
  withSecrets?: boolean;
}

function harName(date: Date): string {
  return `portico-${date.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}.har`;
}

export function dashActions(options: ActionOptions): DashActions {
  const {source} = options;
  return {
    ...(source.exchange ? {exchange: (id: number) => source.exchange!(id)} : {}),
    ...(source.replay ? {replay: (id: number) => source.replay!(id)} : {}),
    ...(source.use ? {use: (copy: string, app: string) => source.use!(copy, app)} : {}),
    copy: (text) => copyToTerminal(text, options.stdout),
    async writeHar(events) {
      const captures = new Map((await (source.captures?.() ?? Promise.resolve([]))).map((c) => [c.id, c] as const));
      const file = path.resolve(options.dir ?? process.cwd(), harName((options.now ?? (() => new Date()))()));
      const port = (await source.status().catch(() => undefined))?.port;
      writeFileAtomic(
        file,
        `${JSON.stringify(buildHar(events, captures, VERSION, {keepSecrets: options.withSecrets === true, port}), null, 2)}\n`,
        TRAFFIC_FILE_MODE,
      );
      return file;
    },
  };
}
