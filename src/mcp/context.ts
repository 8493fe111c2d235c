import {call} from '../daemon/client.js';
import {ensureDaemon} from '../daemon/lifecycle.js';
import type {Status} from '../daemon/protocol.js';
import type {StatePaths} from '../state/home.js';
import type {CaptureHold} from './capture.js';

export interface McpOptions {
  paths: StatePaths;
  /** Offer the tools that change something (routes, replay, cache, route options). Default false. */
  allowWrite: boolean;
  /** Return Authorization, Cookie, Set-Cookie and Proxy-Authorization values as captured. Default false: redacted. */
  withSecrets: boolean;
  /** Where notices and problems go: stderr, since stdout carries the protocol. */
  log: (line: string) => void;
}

/** What every tool gets: the options, and the daemon (started if needed, capturing for this session). */
export interface McpContext extends McpOptions {
  daemon(): Promise<Status>;
}

export function mcpContext(options: McpOptions, hold: CaptureHold): McpContext {
  return {
    ...options,
    async daemon() {
      await ensureDaemon(options.paths, {onNotice: options.log});
      await hold.ensure();
      // Routes without traffic are not probed by the daemon: probe them (at most every 2 s) so health is real.
      return call(options.paths, 'probedStatus', {maxAgeMs: 2000}, {timeoutMs: 5000});
    },
  };
}
