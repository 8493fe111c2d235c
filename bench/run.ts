/**
 * `npm run bench`: portico against the peers installed here, same backend, same load, alternating
 * rounds, medians and ratios. Loopback only; every run bounded. See bench/README.md.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {h2load, latency, loadTools, wrk, wsEcho} from './load.js';
import {ALL_PEERS, HOST, porticoEnv, type Peer, type Running} from './peers.js';
import {has, median, rssMb, run} from './util.js';

interface Args {
  duration: number;
  rounds: number;
  only?: Set<string>;
  peers: Set<string>;
  smoke: boolean;
  soak: number;
  json?: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const smoke = argv.includes('--smoke');
  return {
    smoke,
    duration: smoke ? 1 : Number((get('duration') ?? '8').replace(/s$/, '')),
    rounds: smoke ? 1 : Number(get('rounds') ?? 3),
    only: get('only') ? new Set(get('only')!.split(',')) : undefined,
    peers: new Set((get('peers') ?? (smoke ? 'portico,direct' : 'portico,caddy,nginx,portless,direct')).split(',')),
    soak: Number((get('soak') ?? '0').replace(/s$/, '')),
    json: get('json'),
  };
}

const USAGE = `Usage: npm run bench -- [--duration S] [--rounds N] [--peers portico,caddy,nginx,portless,direct]
                        [--only h1,h2,latency,1m,ws,compress,cache,newhost,cli,dash,rss] [--soak S] [--json FILE] [--smoke]
  (or: node dist/bench/run.js ...)  portico against the installed peers, loopback only; see bench/README.md.`;

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'run.js');
const results: Record<string, Record<string, number>> = {};
const lines: string[] = [];
/** Where the run is, on stderr (stdout stays the report): a full run takes 10-15 minutes. */
const progress = (what: string) => process.stderr.write(`  … ${what}\n`);
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};

function record(scenario: string, peer: string, value: number): void {
  (results[scenario] ??= {})[peer] ??= Number.NaN;
  const key = `${scenario}\u0000${peer}`;
  (samples[key] ??= []).push(value);
  results[scenario]![peer] = median(samples[key]!);
}
const samples: Record<string, number[]> = {};

async function startBackend(): Promise<{port: number; stop: () => void}> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'backend.js')], {stdio: ['ignore', 'pipe', 'inherit']});
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  return {port, stop: () => child.kill()};
}

function table(scenario: string, unit: string, higherIsBetter = true): void {
  const row = results[scenario];
  if (!row) return;
  const ours = row.portico;
  say(`\n${scenario} (${unit}, median)`);
  for (const [peer, value] of Object.entries(row)) {
    const ratio = peer === 'portico' || ours === undefined || !Number.isFinite(value) ? '' : `   portico/${peer} = ${(higherIsBetter ? ours / value : value / ours).toFixed(2)}x${higherIsBetter ? '' : ' (speed)'}`;
    say(`  ${peer.padEnd(9)} ${Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 0).padStart(10) : '       n/a'}${ratio}`);
  }
}

async function main(): Promise<void> {
  // --help prints the usage and starts nothing (a full run takes 10-15 minutes).
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  const want = (s: string) => !args.only || args.only.has(s);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  const backend = await startBackend();
  say(`portico bench · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? ''} · node ${process.version} · ${args.duration}s x ${args.rounds} rounds${args.smoke ? ' (smoke)' : ''}`);
  if (!loadTools.wrk) say('- wrk not installed: HTTP/1.1 scenarios skipped (apt-get install wrk)');
  if (!loadTools.h2load) say('- h2load not installed: HTTP/2 scenario skipped (apt-get install nghttp2-client)');
  const running = new Map<string, Running>();
  const peers: Peer[] = [];
  for (const peer of ALL_PEERS.filter((p) => args.peers.has(p.name))) {
    const missing = peer.missing();
    if (missing) {
      say(`- ${peer.name} skipped: ${missing}`);
      continue;
    }
    try {
      running.set(peer.name, await peer.start(backend.port, dir));
      peers.push(peer);
    } catch (error) {
      say(`- ${peer.name} skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const portico = running.get('portico');
  try {
    if (portico?.pid) record('daemon RSS idle', 'portico', rssMb(portico.pid));
    // Warm every peer up first (JIT, connection pools, session caches): the rounds measure steady state.
    if (!args.smoke) {
      for (const peer of peers) {
        const r = running.get(peer.name)!;
        progress(`warming up ${peer.name}`);
        if (want('h1') && loadTools.wrk) await wrk(r, 2, 50);
        if (want('h2') && loadTools.h2load && r.tls) await h2load(r, 2);
      }
    }
    for (let round = 0; round < args.rounds; round++) {
      // Alternate the order each round so no peer always runs on a warmer machine.
      const order = round % 2 === 0 ? peers : [...peers].reverse();
      for (const peer of order) {
        const r = running.get(peer.name)!;
        progress(`round ${round + 1}/${args.rounds}: ${peer.name}`);
        if (want('h1') && loadTools.wrk) record('HTTPS HTTP/1.1, 50 connections', peer.name, (await wrk(r, args.duration, 50)).rps);
        if (want('h2') && loadTools.h2load && r.tls) record('HTTP/2, 50 connections x 10 streams', peer.name, await h2load(r, args.duration));
        if (want('latency')) {
          const l = await latency(r, args.smoke ? 200 : 2000);
          record('latency p50 at 1 connection', peer.name, l.p50);
          record('latency p99 at 1 connection', peer.name, l.p99);
        }
        if (want('1m') && loadTools.wrk) record('1 MiB responses', peer.name, (await wrk(r, args.duration, 10, '/1m')).mbps);
        if (want('compress') && loadTools.wrk && ['portico', 'caddy', 'nginx', 'direct'].includes(peer.name)) {
          // direct: the same JSON uncompressed, for scale.
          const gz = await wrk(r, args.duration, 50, '/gz/data.json', ['Accept-Encoding: gzip']);
          record('gzip, 100 KB JSON, 50 connections', peer.name, gz.rps);
          record('gzip, 100 KB JSON, bytes on the wire', peer.name, (gz.mbps * 1024 * 1024) / gz.rps);
        }
        if (want('cache') && loadTools.wrk && ['portico', 'nginx', 'direct'].includes(peer.name)) {
          record('cached 100 KB JSON, 50 connections', peer.name, (await wrk(r, args.duration, 50, '/cached/data.json')).rps);
        }
        if (want('ws') && peer.name !== 'portless') record('WebSocket echo, 1 connection', peer.name, await wsEcho(r, Math.min(args.duration, 5)).catch(() => Number.NaN));
      }
    }
    if (portico) await porticoOnly(args, portico, dir, want);
  } finally {
    for (const r of running.values()) await r.stop();
    backend.stop();
  }
  table('HTTPS HTTP/1.1, 50 connections', 'req/s');
  table('HTTP/2, 50 connections x 10 streams', 'req/s');
  table('latency p50 at 1 connection', 'ms', false);
  table('latency p99 at 1 connection', 'ms', false);
  if (results['latency p50 at 1 connection']?.direct !== undefined) {
    const added = results['latency p50 at 1 connection']!.portico! - results['latency p50 at 1 connection']!.direct!;
    say(`  added p50 over direct: ${added.toFixed(3)} ms (target <= 0.5 ms: ${added <= 0.5 ? 'met' : 'NOT met'})`);
  }
  table('1 MiB responses', 'MB/s');
  table('gzip, 100 KB JSON, 50 connections', 'req/s');
  // Smaller is better here, and the ratio is of sizes, not speeds: printed apart from table().
  const wire = results['gzip, 100 KB JSON, bytes on the wire'];
  if (wire) say(`\ngzip, bytes on the wire per response: ${Object.entries(wire).map(([peer, v]) => `${peer} ${Math.round(v)}`).join(', ')}`);
  table('cached 100 KB JSON, 50 connections', 'req/s');
  table('WebSocket echo, 1 connection', 'msgs/s');
  for (const s of ['first request to a new hostname', 'portico ls', 'portico up (running)', 'daemon RSS idle', 'daemon RSS after load', 'soak RSS min', 'soak RSS max', 'daemon RSS after 100k captured requests', 'HTTP/1.1 with a dashboard attached', 'HTTP/1.1 with nobody watching']) {
    const v = results[s]?.portico;
    if (v !== undefined) say(`\n${s}: ${v.toFixed(s.includes('RSS') ? 1 : 1)} ${s.includes('RSS') ? 'MB' : s.startsWith('HTTP') ? 'req/s' : 'ms'}`);
  }
  targets();
  if (args.json) writeFileSync(args.json, JSON.stringify({results, samples}, null, 2));
  rmSync(dir, {recursive: true, force: true});
}

async function porticoOnly(args: Args, r: Running, dir: string, want: (s: string) => boolean): Promise<void> {
  const env = porticoEnv(dir);
  if (want('newhost')) {
    progress('portico: first request to new hostnames');
    for (let i = 0; i < (args.smoke ? 2 : 10); i++) {
      const name = `n${Math.random().toString(36).slice(2, 10)}.localhost`;
      await run(process.execPath, [BIN, 'add', name, '9'], {env});
      const start = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        https.get({host: '127.0.0.1', port: r.port, servername: name, headers: {host: name}, rejectUnauthorized: false, agent: false}, (res) => res.resume().on('end', resolve)).on('error', () => resolve());
      });
      record('first request to a new hostname', 'portico', Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  if (want('cli')) {
    progress('portico: ls and up wall time');
    for (let i = 0; i < (args.smoke ? 2 : 10); i++) {
      for (const [name, argv] of [['portico ls', ['ls']], ['portico up (running)', ['up']]] as const) {
        const start = process.hrtime.bigint();
        await run(process.execPath, [BIN, ...argv], {env});
        record(name, 'portico', Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
  }
  if (want('dash') && loadTools.wrk) {
    progress('portico: throughput with and without a dashboard');
    for (let i = 0; i < args.rounds; i++) {
      record('HTTP/1.1 with nobody watching', 'portico', (await wrk(r, args.duration, 50)).rps);
      const watcher = await attachDashboard(env).catch((error: Error) => say(`- dashboard scenario failed: ${error.message}`));
      if (!watcher) break;
      if (i === 0) say(`- dashboard scenario: ${watcher.what}`);
      try {
        record('HTTP/1.1 with a dashboard attached', 'portico', (await wrk(r, args.duration, 50)).rps);
      } finally {
        await watcher.stop();
      }
    }
    if (r.pid) await capturedRss(args, r, env);
  }
  if (r.pid && loadTools.wrk && want('rss')) {
    // Drive the daemon past 100k requests in total before reading RSS.
    progress('portico: RSS after load');
    for (let i = 0; i < (args.smoke ? 0 : 3); i++) await wrk(r, Math.max(args.duration, 10), 50);
    record('daemon RSS after load', 'portico', rssMb(r.pid));
    if (args.soak > 0) {
      progress(`portico: ${args.soak} s soak`);
      const end = Date.now() + args.soak * 1000;
      const rss: number[] = [];
      while (Date.now() < end) {
        await wrk(r, 5, 10);
        rss.push(rssMb(r.pid));
      }
      record('soak RSS min', 'portico', Math.min(...rss));
      record('soak RSS max', 'portico', Math.max(...rss));
    }
  }
}

function targets(): void {
  const v = (s: string, p = 'portico') => results[s]?.[p];
  const checks: Array<[string, number | undefined, (x: number) => boolean]> = [
    ['HTTP/1.1 >= 1.0x Caddy', ratio('HTTPS HTTP/1.1, 50 connections', 'caddy'), (x) => x >= 1],
    ['HTTP/1.1 >= 3x portless', ratio('HTTPS HTTP/1.1, 50 connections', 'portless'), (x) => x >= 3],
    ['HTTP/2 >= 1.0x Caddy', ratio('HTTP/2, 50 connections x 10 streams', 'caddy'), (x) => x >= 1],
    ['gzip >= 1.0x nginx', ratio('gzip, 100 KB JSON, 50 connections', 'nginx'), (x) => x >= 1],
    ['gzip >= 1.0x Caddy', ratio('gzip, 100 KB JSON, 50 connections', 'caddy'), (x) => x >= 1],
    ['cached >= 1.0x nginx proxy_cache', ratio('cached 100 KB JSON, 50 connections', 'nginx'), (x) => x >= 1],
    ['HTTP/2 >= 3x portless', ratio('HTTP/2, 50 connections x 10 streams', 'portless'), (x) => x >= 3],
    ['first request to a new hostname <= 50 ms', v('first request to a new hostname'), (x) => x <= 50],
    ['portico ls <= 300 ms', v('portico ls'), (x) => x <= 300],
    ['portico up (running) <= 500 ms', v('portico up (running)'), (x) => x <= 500],
    ['daemon RSS idle <= 80 MB', v('daemon RSS idle'), (x) => x <= 80],
    ['daemon RSS after load <= 150 MB', v('daemon RSS after load'), (x) => x <= 150],
    ['daemon RSS after 100k captured requests <= 200 MB', v('daemon RSS after 100k captured requests'), (x) => x <= 200],
    ['dashboard attached >= 0.9x', (v('HTTP/1.1 with a dashboard attached') ?? Number.NaN) / (v('HTTP/1.1 with nobody watching') ?? Number.NaN), (x) => x >= 0.9],
  ];
  say('\ntargets');
  for (const [name, value, ok] of checks) {
    if (value === undefined || !Number.isFinite(value)) say(`  –  ${name}: not measured`);
    else say(`  ${ok(value) ? '✓' : '✗'}  ${name}: ${value.toFixed(2)}`);
  }
}

/**
 * The real dashboard, rendering in a real terminal: `portico dash` in a private tmux server (its own
 * socket, 160x45), once its first frame is on screen. Without tmux, `logs --follow` stands in: the
 * same event stream, without rendering.
 */
async function attachDashboard(env: NodeJS.ProcessEnv): Promise<{what: string; stop: () => Promise<void>}> {
  if (!has('tmux')) {
    const follower = spawn(process.execPath, [BIN, 'logs', '--follow', '--json'], {env, stdio: ['ignore', 'ignore', 'ignore']});
    await new Promise((res) => setTimeout(res, 500));
    return {what: '`portico logs --follow` (tmux not installed: apt-get install tmux, to measure `portico dash` itself)', stop: async () => void follower.kill()};
  }
  const tmux = (...a: string[]) => run('tmux', ['-L', `portico-bench-${process.pid}`, ...a], {env, timeoutMs: 10_000});
  const stop = async () => void (await tmux('kill-server'));
  await tmux('new-session', '-d', '-s', 'dash', '-x', '160', '-y', '45', `'${process.execPath}' '${BIN}' dash`);
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((res) => setTimeout(res, 200))) {
    if ((await tmux('capture-pane', '-p', '-t', 'dash')).stdout.includes('req/s')) return {what: '`portico dash` rendering in a 160x45 tmux terminal, capturing bodies, headers and timing of every request', stop};
  }
  await stop();
  throw new Error('portico dash did not draw its first frame in tmux within 15 s');
}

/**
 * Capture memory stays bounded: with a dashboard attached (capture on: bodies, headers, timing of
 * every request), drive 100k requests through portico, then read the daemon's RSS. The capture store
 * holds at most 5000 exchanges / 32 MiB whatever the traffic. --smoke drives 2k.
 */
async function capturedRss(args: Args, r: Running, env: NodeJS.ProcessEnv): Promise<void> {
  const goal = args.smoke ? 2000 : 100_000;
  progress(`portico: RSS after ${goal} captured requests`);
  const watcher = await attachDashboard(env).catch((error: Error) => say(`- captured RSS scenario failed: ${error.message}`));
  if (!watcher) return;
  let sent = 0;
  try {
    while (sent < goal) {
      const seconds = Math.max(1, Math.min(10, args.duration));
      sent += (await wrk(r, seconds, 50)).rps * seconds;
    }
  } finally {
    await watcher.stop();
  }
  say(`- captured RSS: ${Math.round(sent)} requests with \`portico dash\` attached (capture on)`);
  record('daemon RSS after 100k captured requests', 'portico', rssMb(r.pid!));
}

function ratio(scenario: string, peer: string): number | undefined {
  const row = results[scenario];
  return row?.portico !== undefined && row[peer] !== undefined ? row.portico / row[peer]! : undefined;
}

void HOST;
await main();
