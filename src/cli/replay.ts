import {DaemonNotRunning, call} from '../daemon/client.js';
import type {ReplayResult} from '../daemon/protocol.js';
import {InputError, UserError} from '../errors.js';
import type {StatePaths} from '../state/home.js';

export interface ReplayOptions {
  paths: StatePaths;
  /** The request's id, as `portico logs --json` shows it. */
  id: string;
  out: (line: string) => void;
  json: boolean;
}

/** `portico replay <id>`: the daemon sends the request again through the proxy. */
export async function replayRequest(options: ReplayOptions): Promise<ReplayResult> {
  if (!/^\d+$/.test(options.id)) throw new InputError(`Invalid request id \`${options.id}\`: expected a number from \`portico logs --json\`.`);
  let result: ReplayResult;
  try {
    result = await call(options.paths, 'replay', {id: Number(options.id)}, {timeoutMs: 35_000});
  } catch (error) {
    if (error instanceof DaemonNotRunning) throw new UserError('portico is not running, so there is nothing to replay.', {hint: 'Start it with `portico up`.'});
    throw error;
  }
  if (!options.json)
    options.out(`Replayed request ${result.of}: ${result.status} (${result.bytes} bytes).${result.partial ? ` Note: ${result.partial}.` : ''}`);
  return result;
}
