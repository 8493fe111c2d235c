import {pidAlive} from '../state/pid.js';
import {readLanState} from './state.js';

/** What `ls`, `ls --json`, `doctor` and the dashboard say while portico listens beyond loopback. */
export interface LanSummary {
  address: string;
  port: number;
  /** The plain-HTTP page that hands phones the LAN CA (what the QR code opens). */
  page: string;
  shares: Array<{host: string; name: string; url: string}>;
}

/** The LAN listener's state when its process is alive; undefined while sharing is off (or it died). */
export function lanSummary(home: string, alive: (pid: number) => boolean = pidAlive): LanSummary | undefined {
  const state = readLanState(home);
  if (!state || !alive(state.pid)) return undefined;
  return {
    address: state.address,
    port: state.port,
    page: `http://${state.address}:${state.port}/`,
    shares: state.shares.map((s) => ({host: s.host, name: s.name, url: `https://${s.name}:${state.port}/`})),
  };
}
