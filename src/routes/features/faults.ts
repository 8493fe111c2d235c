import {parseDelay, parseDrop, parseFail} from '../options.js';
import {badStored, inRange, isObject, stringOf, type ExportLoss, type FrontDoorFeature} from './feature.js';

/**
 * `--delay`, `--fail`, `--drop`: fault injection for development (passes: src/frontdoor/faults.ts).
 * No production proxy should inject faults, so no export target carries them.
 */
const notExported = (feature: string): ExportLoss[] => [{feature, detail: 'not exported: fault injection is for development only'}];
const formatMs = (n: number): string => (n >= 1000 && n % 100 === 0 ? `${n / 1000}s` : `${n}ms`);
/** 0.07 -> `7%` (not 7.000000000000001%). */
const formatShare = (r: number): string => `${+(r * 100).toFixed(2)}%`;

export const delay: FrontDoorFeature<'delay'> = {
  key: 'delay',
  flags: [{name: 'delay', kind: 'string', helpValue: 'DURATION', description: 'inject latency before the backend: 300ms or 300ms-1s'}],
  schema: {
    type: 'string',
    pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m)\\s*(-\\s*\\d+(\\.\\d+)?\\s*(ms|s|m)\\s*)?$',
    description: 'Inject latency before the backend: "300ms" or "300ms-1s".',
  },
  fromFlags: (flags) => (flags.delay === undefined ? undefined : parseDelay(flags.delay as string)),
  fromProject: (value) => parseDelay(stringOf('delay', value), 'delay'),
  check: (stored) => {
    if (!isObject(stored) || !inRange(stored.minMs, 0) || !inRange(stored.maxMs, stored.minMs as number, 600_000)) throw badStored('delay', stored);
    return {minMs: stored.minMs, maxMs: stored.maxMs};
  },
  describe: ({minMs, maxMs}) => [`delay ${formatMs(minMs)}${maxMs !== minMs ? `-${formatMs(maxMs)}` : ''}`],
  exportLosses: (value) => notExported(delay.describe(value)[0]!),
};

export const fail: FrontDoorFeature<'fail'> = {
  key: 'fail',
  flags: [{name: 'fail', kind: 'string', helpValue: 'P[:STATUS]', description: 'answer this share of requests with an error: 10% or 10%:503'}],
  schema: {
    type: 'string',
    pattern: '^\\s*\\d+(\\.\\d+)?\\s*%?\\s*(:\\s*[45]\\d\\d\\s*)?$',
    description: 'Answer this share of requests with an error, without the backend: "10%" or "10%:503".',
  },
  fromFlags: (flags) => (flags.fail === undefined ? undefined : parseFail(flags.fail as string)),
  fromProject: (value) => parseFail(stringOf('fail', value), 'fail'),
  check: (stored) => {
    if (!isObject(stored) || !inRange(stored.rate, 0, 1) || !Number.isInteger(stored.status) || !inRange(stored.status, 400, 599))
      throw badStored('fail', stored);
    return {rate: stored.rate, status: stored.status};
  },
  describe: ({rate, status}) => [`fail ${formatShare(rate)}:${status}`],
  exportLosses: ({rate, status}) => notExported(`fail ${formatShare(rate)} with ${status}`),
};

export const drop: FrontDoorFeature<'drop'> = {
  key: 'drop',
  flags: [{name: 'drop', kind: 'string', helpValue: 'P', description: 'reset the connection for this share of requests: 5%'}],
  schema: {type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*%?\\s*$', description: 'Reset the connection for this share of requests: "5%".'},
  fromFlags: (flags) => (flags.drop === undefined ? undefined : parseDrop(flags.drop as string)),
  fromProject: (value) => parseDrop(stringOf('drop', value), 'drop'),
  check: (stored) => {
    if (!isObject(stored) || !inRange(stored.rate, 0, 1)) throw badStored('drop', stored);
    return {rate: stored.rate};
  },
  describe: ({rate}) => [`drop ${formatShare(rate)}`],
  exportLosses: (value) => notExported(drop.describe(value)[0]!),
};
