/**
 * `npm run bench`: portico against the peers installed here, same backend, same load, alternating
 * rounds, medians, ratios and CPU per request from /proc; then which performance goals are met.
 * Loopback only; every run bounded. See bench/README.md and `--help`.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {USAGE, baselineNames, checkArgs, parseArgs, type Args} from './args.js';
import {printGoals} from './goals.js';
import {h2load, latency, loadTools, wrk, wsEcho} from './load.js';
import {ALL_PEERS, porticoPeer, type Peer, type Running} from './peers.js';
import {idleCost, porticoOnly} from './portico-only.js';
import {Report} from './report.js';
import {rssMb, treeRssMb, withCpu} from './util.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** Where the run is, on stderr (stdout stays the report): a full run takes 15-20 minutes. */
const progress = (what: string) => process.stderr.write(`  … ${what}\n`);

async function startBackend(): Promise<{port: number; stop: () => void}> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'backend.js')], {stdio: ['ignore', 'pipe', 'inherit']});
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  return {port, stop: () => child.kill()};
}

/** CPU µs per request of a load run, when the peer's pid is known. */
const perRequest = (cpu: number | undefined, requests: number) => (cpu === undefined || !(requests > 0) ? undefined : (cpu * 1e6) / requests);

/** One round of the shared scenarios on one peer. */
async function round(report: Report, args: Args, peer: string, r: Running, want: (s: string) => boolean): Promise<void> {
  const cpuOf = (scenario: string, cpu: number | undefined, requests: number) => {
    const us = perRequest(cpu, requests);
    if (us !== undefined) report.record(scenario, peer, us);
  };
  if (want('h1') && loadTools.wrk) {
    const {result, cpu} = await withCpu(r.pid, () => wrk(r, args.duration, 50));
    report.record('HTTPS HTTP/1.1, 50 connections', peer, result.rps);
    cpuOf('CPU µs per request, HTTP/1.1', cpu, result.requests);
  }
  if (want('h2') && loadTools.h2load && r.tls) {
    const {result, cpu} = await withCpu(r.pid, () => h2load(r, args.duration));
    report.record('HTTP/2, 50 connections x 10 streams', peer, result.rps);
    cpuOf('CPU µs per request, HTTP/2', cpu, result.requests);
  }
  if (want('latency')) {
    const l = await latency(r, args.smoke ? 200 : 2000);
    report.record('latency p50 at 1 connection', peer, l.p50);
    report.record('latency p99 at 1 connection', peer, l.p99);
  }
  if (want('1m') && loadTools.wrk) {
    const {result, cpu} = await withCpu(r.pid, () => wrk(r, args.duration, 10, '/1m'));
    report.record('1 MiB responses', peer, result.mbps);
    cpuOf('CPU µs per 1 MiB response', cpu, result.requests);
  }
  if (want('compress') && loadTools.wrk && peer !== 'portless' && peer !== 'node') {
    // direct: the same JSON uncompressed, for scale.
    const {result, cpu} = await withCpu(r.pid, () => wrk(r, args.duration, 50, '/gz/data.json', ['Accept-Encoding: gzip']));
    report.record('gzip, 100 KB JSON, 50 connections', peer, result.rps);
    report.record('gzip, 100 KB JSON, bytes on the wire', peer, (result.mbps * 1024 * 1024) / result.rps);
    cpuOf('CPU µs per gzip response', cpu, result.requests);
  }
  if (want('cache') && loadTools.wrk && !['portless', 'caddy', 'node'].includes(peer)) {
    report.record('cached 100 KB JSON, 50 connections', peer, (await wrk(r, args.duration, 50, '/cached/data.json')).rps);
  }
  if (want('ws') && peer !== 'portless')
    report.record('WebSocket echo, 1 connection', peer, await wsEcho(r, Math.min(args.duration, 5)).catch(() => Number.NaN));
}

function printTables(report: Report): void {
  report.table('HTTPS HTTP/1.1, 50 connections', 'req/s', {cpu: 'CPU µs per request, HTTP/1.1'});
  report.table('HTTP/2, 50 connections x 10 streams', 'req/s', {cpu: 'CPU µs per request, HTTP/2'});
  report.table('latency p50 at 1 connection', 'ms', {higherIsBetter: false});
  report.table('latency p99 at 1 connection', 'ms', {higherIsBetter: false});
  const p50 = report.value('latency p50 at 1 connection');
  const direct = report.value('latency p50 at 1 connection', 'direct');
  if (p50 !== undefined && direct !== undefined) report.say(`  added p50 over direct: ${(p50 - direct).toFixed(3)} ms`);
  report.table('1 MiB responses', 'MB/s', {cpu: 'CPU µs per 1 MiB response'});
  report.table('gzip, 100 KB JSON, 50 connections', 'req/s', {cpu: 'CPU µs per gzip response'});
  // Smaller is better here, and the ratio is of sizes, not speeds: printed apart from table().
  const wire = report.results['gzip, 100 KB JSON, bytes on the wire'];
  if (wire)
    report.say(
      `\ngzip, bytes on the wire per response: ${Object.entries(wire)
        .map(([peer, v]) => `${peer} ${Math.round(v)}`)
        .join(', ')}`,
    );
  report.table('cached 100 KB JSON, 50 connections', 'req/s');
  report.table('WebSocket echo, 1 connection', 'msgs/s');
  const units: Array<[string, string]> = [
    ['daemon CPU idle, 1000 routes', '% of a core'],
    ['daemon RSS idle', 'MB'],
    ['RSS idle, all processes', 'MB'],
    ['daemon RSS idle, 1000 routes', 'MB'],
    ['daemon RSS after load', 'MB'],
    ['RSS after the rounds, all processes', 'MB'],
    ['daemon RSS after 100k captured requests', 'MB'],
    ['soak RSS min', 'MB'],
    ['soak RSS max', 'MB'],
    ['HTTP/1.1 with nobody watching', 'req/s'],
    ['HTTP/1.1 with a dashboard attached', 'req/s'],
    ['CPU µs per request, nobody watching', 'µs'],
    ['CPU µs per request, dashboard attached', 'µs'],
    ['first request to a new hostname', 'ms'],
    ['portico ls', 'ms'],
    ['portico up (running)', 'ms'],
  ];
  for (const [scenario, unit] of units) {
    const row = report.results[scenario];
    if (row)
      report.say(
        `\n${scenario}: ${Object.entries(row)
          .map(([peer, v]) => `${peer} ${v.toFixed(unit === 'µs' || unit === 'req/s' ? 0 : 1)} ${unit}`)
          .join(', ')}`,
      );
  }
  const watched = report.value('HTTP/1.1 with a dashboard attached');
  const alone = report.value('HTTP/1.1 with nobody watching');
  if (watched !== undefined && alone !== undefined) report.say(`  with a dashboard attached: ${(watched / alone).toFixed(2)}x of unwatched`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const bad = checkArgs(args);
  if (bad) {
    process.stderr.write(`${bad}\n`);
    process.exitCode = 2;
    return;
  }
  const report = new Report();
  const want = (s: string) => !args.only || args.only.has(s);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  const backend = await startBackend();
  report.say(
    `portico bench · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? ''} · node ${process.version} · ${args.duration}s x ${args.rounds} rounds${args.smoke ? ' (smoke)' : ''}`,
  );
  if (!loadTools.wrk) report.say('- wrk not installed: HTTP/1.1 scenarios skipped (apt-get install wrk)');
  if (!loadTools.h2load) report.say('- h2load not installed: HTTP/2 scenario skipped (apt-get install nghttp2-client)');
  const names = baselineNames(args.baselines);
  const candidates = [...ALL_PEERS, ...args.baselines.map((dir, i) => porticoPeer(names[i]!, path.resolve(dir, 'bin', 'run.js')))];
  const running = new Map<string, Running>();
  const peers: Peer[] = [];
  for (const peer of candidates.filter((p) => args.peers.has(p.name))) {
    const missing = peer.missing();
    if (missing) {
      report.say(`- ${peer.name} skipped: ${missing}`);
      continue;
    }
    try {
      running.set(peer.name, await peer.start(backend.port, dir));
      peers.push(peer);
    } catch (error) {
      report.say(`- ${peer.name} skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  try {
    for (const [name, r] of running) {
      if (r.bin && r.pid && !r.variant) report.record('daemon RSS idle', name, rssMb(r.pid));
      // A variant with workers: what all its processes hold, the daemon and each worker.
      else if (r.bin && r.pid) report.record('RSS idle, all processes', name, treeRssMb(r.pid));
    }
    // Warm every peer up first (JIT, connection pools, session caches): the rounds measure steady state.
    if (!args.smoke) {
      for (const peer of peers) {
        const r = running.get(peer.name)!;
        progress(`warming up ${peer.name}`);
        if (want('h1') && loadTools.wrk) await wrk(r, 2, 50);
        if (want('h2') && loadTools.h2load && r.tls) await h2load(r, 2);
      }
    }
    for (let i = 0; i < args.rounds; i++) {
      // Alternate the order each round so no peer always runs on a warmer machine.
      const order = i % 2 === 0 ? peers : [...peers].reverse();
      for (const peer of order) {
        progress(`round ${i + 1}/${args.rounds}: ${peer.name}`);
        await round(report, args, peer.name, running.get(peer.name)!, want);
      }
    }
    for (const [name, r] of running) if (r.variant && r.pid) report.record('RSS after the rounds, all processes', name, treeRssMb(r.pid));
    for (const [name, r] of running) {
      if (!r.bin || !r.env || r.variant) continue;
      await porticoOnly({args, report, r: {...r, bin: r.bin, env: r.env}, name, want, progress});
      if (want('idle')) await idleCost({report, name, bin: r.bin, dir, backendPort: backend.port, smoke: args.smoke, progress});
    }
  } finally {
    for (const r of running.values()) await r.stop();
    backend.stop();
  }
  printTables(report);
  printGoals(report);
  if (args.json) writeFileSync(args.json, JSON.stringify({results: report.results, samples: report.samples}, null, 2));
  rmSync(dir, {recursive: true, force: true});
}

await main();
