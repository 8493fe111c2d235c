import {streamEvents} from '../daemon/client.js';
import type {StatePaths} from '../state/home.js';

/**
 * Keeps capture on while an agent is connected, the way the dashboard does: an open `/events` stream
 * with `capture=1` (same bounds: 64 KiB per body, 5000 exchanges, 32 MiB; see README "The dashboard").
 * The events themselves are not needed here and are dropped. A stream that ends (the daemon stopped
 * or restarted) is opened again by the next tool call, never behind the user's back.
 */
export class CaptureHold {
  private opened?: Promise<void>;
  private readonly controller = new AbortController();

  constructor(private readonly paths: StatePaths) {}

  /** Resolves once the daemon is capturing for this session. */
  ensure(): Promise<void> {
    if (this.opened) return this.opened;
    const opened = new Promise<void>((resolve, reject) => {
      const ended = (error?: unknown) => {
        if (this.opened === opened) this.opened = undefined;
        reject(error ?? new Error('The portico daemon closed the capture stream.'));
      };
      streamEvents(this.paths, () => {}, {history: 0, capture: true, signal: this.controller.signal, onOpen: resolve}).then(() => ended(), ended);
    });
    opened.catch(() => {});
    this.opened = opened;
    return opened;
  }

  /** Stop capturing for this session (the agent went away). */
  close(): void {
    this.controller.abort();
  }
}
