import type {Target} from '../routes/types.js';

/**
 * Runtime state of one target, kept apart from the static route config (as Caddy does): routes can be
 * replaced live while counts and health carry over.
 */
export class Upstream {
  /** Requests in flight plus open WebSockets. */
  active = 0;
  /** Requests served since the daemon started. */
  requests = 0;
  /** The active probe's last verdict. */
  probeOk = true;
  /** The health last announced as a HealthEvent, so events fire on changes only. */
  announced = true;
  /** Last error talking to it, while unhealthy. */
  lastError?: string;
  /** Epoch ms until which a passive failure keeps it out of rotation. */
  downUntil = 0;
  /** Epoch ms of the last failure; picks the least-recently-failed one when all are down. */
  failedAt = 0;
  /** pid of the `portico run` that owns it. */
  owner?: number;
  /** Its share of new requests against the other instances' (README "Weights"); 0 drains it. */
  weight = 1;

  constructor(readonly target: Target) {}

  /** The one question every policy asks: probe says up and no passive cool-off running. */
  available(now: number): boolean {
    return this.probeOk && now >= this.downUntil;
  }
}
