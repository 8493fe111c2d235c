import {setTimeout as sleep} from 'node:timers/promises';
import {Readable} from 'node:stream';
import type {Exchange, ExchangeResponse, PassFactory} from '../pipeline/exchange.js';
import type {RouteOptions} from '../routes/types.js';
import {randomFromEnv, type Random} from './random.js';

export interface FaultFeatureOptions {
  /** Decides which requests get a fault and how long a delay is. Default: PORTICO_FAULT_SEED or Math.random. */
  random?: Random;
  /** Waits `ms`; resolves early is not allowed. Default timers/promises setTimeout. */
  sleep?: (ms: number) => Promise<unknown>;
}

/** What to do to one request: decided up front from the random source, so a seed repeats it exactly. */
export interface FaultPlan {
  delayMs: number;
  drop: boolean;
  failStatus?: number;
}

export function planFaults(options: Pick<RouteOptions, 'delay' | 'fail' | 'drop'>, random: Random): FaultPlan {
  const {delay, fail, drop} = options;
  const delayMs = delay ? Math.round(delay.minMs + random() * (delay.maxMs - delay.minMs)) : 0;
  const dropped = drop ? random() < drop.rate : false;
  const failed = !dropped && fail ? random() < fail.rate : false;
  return {delayMs, drop: dropped, ...(failed ? {failStatus: fail!.status} : {})};
}

export function injectedFailure(status: number): ExchangeResponse {
  const text = `${status}: failure injected by portico (--fail); the backend was not asked.\n`;
  return {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      'x-portico-fault': 'fail',
    },
    body: Readable.from([Buffer.from(text)]),
    source: 'portico',
  };
}

/**
 * `--delay`, `--fail`, `--drop`: faults for testing clients, before the backend is asked. A delay
 * comes first (a failure or reset after a wait is what a slow, failing server looks like).
 */
export function faultsFeature(options: FaultFeatureOptions = {}): PassFactory {
  const random = options.random ?? randomFromEnv();
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  return {
    name: 'faults',
    request(entry) {
      const route = entry.route.options;
      if (!route?.delay && !route?.fail && !route?.drop) return undefined;
      return async (ex: Exchange) => {
        const plan = planFaults(route, random);
        if (plan.delayMs > 0) {
          ex.notes.push(`injected: delay ${plan.delayMs}ms`);
          await wait(plan.delayMs);
          if (ex.aborted) return 'answered';
        }
        if (plan.drop) {
          ex.notes.push('injected: drop');
          ex.drop();
          return 'answered';
        }
        if (plan.failStatus !== undefined) {
          ex.notes.push(`injected: ${plan.failStatus}`);
          ex.respond(injectedFailure(plan.failStatus));
          return 'answered';
        }
        return 'next';
      };
    },
  };
}
