import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type {Target} from '../routes/types.js';

export interface TransportOptions {
  /** Connections open at once to one backend address; further requests queue for a free one. Default 128. */
  maxSockets?: number;
  /**
   * Close a pooled connection idle this long (ms). Default 4000: under Node's 5 s server keep-alive
   * (and Vite's, and most dev servers'), so a reused connection is rarely one the backend is closing.
   */
  idleMs?: number;
}

export const DEFAULT_MAX_SOCKETS = 128;
export const DEFAULT_IDLE_MS = 4000;

/**
 * The one way to a backend: one keep-alive agent per backend address, and per target the loopback
 * family that answered last (a bare port or `localhost` dials 127.0.0.1 and ::1: Vite on Node >= 17
 * listens on ::1 only, most other servers on 127.0.0.1 only).
 */
export class Transport {
  private readonly agents = new Map<string, http.Agent>();
  /** target.url -> index into target.dial of the address that answered last. */
  private readonly family = new Map<string, number>();
  readonly maxSockets: number;
  readonly idleMs: number;

  constructor(options: TransportOptions = {}) {
    this.maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  }

  /** The address to dial first for `target`: the one that answered last. */
  address(target: Target): string {
    return target.dial[this.family.get(target.url) ?? 0] ?? target.dial[0]!;
  }

  /** `address` refused: the next dial of `target` starts with its other family. Returns that address, or undefined when there is none. */
  otherFamily(target: Target, address: string): string | undefined {
    if (target.dial.length < 2) return undefined;
    const next = (target.dial.indexOf(address) + 1) % target.dial.length;
    this.family.set(target.url, next);
    return target.dial[next];
  }

  /** Remember that `address` answered for `target`. */
  answered(target: Target, address: string): void {
    const i = target.dial.indexOf(address);
    if (i > 0 || this.family.has(target.url)) this.family.set(target.url, i);
  }

  /** The keep-alive agent for one backend address (shared by every request to it). */
  agent(target: Target, address: string): http.Agent {
    const key = `${target.protocol}//${address}:${target.port}/${target.hostname}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const options: https.AgentOptions = {
        keepAlive: true,
        maxSockets: this.maxSockets,
        maxFreeSockets: this.maxSockets,
        timeout: this.idleMs,
        scheduling: 'lifo',
      };
      agent =
        target.protocol === 'https:'
          ? // Backends are local dev servers with self-signed certificates: an https target is encrypted, not verified.
            new https.Agent({...options, rejectUnauthorized: false, servername: net.isIP(target.hostname) ? undefined : target.hostname})
          : new http.Agent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Open connections (busy + idle) per backend address, for tests and status. */
  sockets(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, agent] of this.agents) {
      let n = 0;
      for (const list of Object.values(agent.sockets)) n += list?.length ?? 0;
      for (const list of Object.values(agent.freeSockets)) n += list?.length ?? 0;
      out.set(key, n);
    }
    return out;
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
