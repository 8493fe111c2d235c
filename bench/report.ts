import {median} from './util.js';

/** The run's figures: samples per scenario and peer, their medians, and the lines printed. */
export class Report {
  readonly results: Record<string, Record<string, number>> = {};
  readonly samples: Record<string, number[]> = {};
  readonly lines: string[] = [];

  say(line = ''): void {
    this.lines.push(line);
    console.log(line);
  }

  record(scenario: string, peer: string, value: number): void {
    (this.results[scenario] ??= {})[peer] ??= Number.NaN;
    const key = `${scenario}\u0000${peer}`;
    (this.samples[key] ??= []).push(value);
    this.results[scenario]![peer] = median(this.samples[key]!);
  }

  value(scenario: string, peer = 'portico'): number | undefined {
    return this.results[scenario]?.[peer];
  }

  /** portico's figure (or `of`'s: a variant of portico) over the peer's, when both were measured. */
  ratio(scenario: string, peer: string, of = 'portico'): number | undefined {
    const ours = this.value(scenario, of);
    const theirs = this.value(scenario, peer);
    return ours !== undefined && theirs !== undefined && Number.isFinite(ours) && Number.isFinite(theirs) ? ours / theirs : undefined;
  }

  /**
   * One scenario's medians, with portico's ratio to each peer; `cpu` names the scenario holding CPU
   * µs per request, printed as a second column (lower is better).
   */
  table(scenario: string, unit: string, options: {higherIsBetter?: boolean; cpu?: string} = {}): void {
    const row = this.results[scenario];
    if (!row) return;
    const higher = options.higherIsBetter ?? true;
    const cpu = options.cpu ? this.results[options.cpu] : undefined;
    const ours = row.portico;
    this.say(`\n${scenario} (${unit}${cpu ? ', and CPU µs per request from /proc' : ''}, median)`);
    for (const [peer, value] of Object.entries(row)) {
      const ratio =
        peer === 'portico' || ours === undefined || !Number.isFinite(value)
          ? ''
          : `   portico/${peer} = ${(higher ? ours / value : value / ours).toFixed(2)}x${higher ? '' : ' (speed)'}`;
      const us = cpu?.[peer];
      const cpuColumn = cpu ? (us !== undefined && Number.isFinite(us) ? `${us.toFixed(0).padStart(7)} µs/req` : '           –  ') : '';
      this.say(`  ${peer.padEnd(10)} ${fixed(value).padStart(10)}${cpuColumn}${ratio}`);
    }
  }
}

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 0) : 'n/a';
}
