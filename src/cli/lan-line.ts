import type {LanSummary} from '../lan/summary.js';

/** The line `ls` prints while `portico lan on` shares routes (portico then listens beyond loopback). */
export function lanLine(lan: LanSummary): string {
  return `LAN: listening beyond loopback on ${lan.address}:${lan.port}: ${lan.shares.map((s) => `${s.name} -> ${s.host}`).join(', ')} (\`portico lan off\` stops it)`;
}
