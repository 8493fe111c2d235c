import {pidAlive} from '../daemon/process.js';
import {readLanState} from '../lan/state.js';

/** The line `ls` prints while `portico lan on` shares routes (portico then listens beyond loopback), or undefined. */
export function lanLine(home: string): string | undefined {
  const state = readLanState(home);
  if (!state || !pidAlive(state.pid)) return undefined;
  return `LAN: listening beyond loopback on ${state.address}:${state.port}: ${state.shares.map((s) => `${s.name} -> ${s.host}`).join(', ')} (\`portico lan off\` stops it)`;
}
