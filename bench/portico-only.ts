/**
 * Scenarios only portico has: first request to a new name, CLI times, idle cost with many routes,
 * RSS after load, and throughput with the real dashboard attached (capture on).
 */
import {spawn} from 'node:child_process';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Args} from './args.js';
import {loadTools, wrk} from './load.js';
import {porticoEnv, type Running} from './peers.js';
import type {Report} from './report.js';
import {cpuSeconds, freePort, has, rssMb, run, withCpu} from './util.js';

export interface PorticoRun {
  args: Args;
  report: Report;
  /** The running daemon under load, its CLI and environment. */
  r: Running & {bin: string; env: NodeJS.ProcessEnv};
  /** Peer name the figures are recorded under (`portico`, or `before` for --baseline). */
  name: string;
  want: (scenario: string) => boolean;
  progress: (what: string) => void;
}

export async function porticoOnly(p: PorticoRun): Promise<void> {
  const {want} = p;
  if (want('newhost')) await newHostnames(p);
  if (want('cli')) await cliTimes(p);
  // After load first, so that figure holds no captures; then the dashboard's scenarios.
  if (want('rss') && loadTools.wrk && p.r.pid) await rssAfterLoad(p);
  if (want('dash') && loadTools.wrk) {
    await dashboard(p);
    if (p.r.pid) await capturedRss(p);
  }
}

async function newHostnames({args, report, r, name, progress}: PorticoRun): Promise<void> {
  progress(`${name}: first request to new hostnames`);
  for (let i = 0; i < (args.smoke ? 2 : 10); i++) {
    const host = `n${Math.random().toString(36).slice(2, 10)}.localhost`;
    await run(process.execPath, [r.bin, 'add', host, '9'], {env: r.env});
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      https
        .get({host: '127.0.0.1', port: r.port, servername: host, headers: {host}, rejectUnauthorized: false, agent: false}, (res) =>
          res.resume().on('end', resolve),
        )
        .on('error', () => resolve());
    });
    report.record('first request to a new hostname', name, Number(process.hrtime.bigint() - start) / 1e6);
  }
}

async function cliTimes({args, report, r, name, progress}: PorticoRun): Promise<void> {
  progress(`${name}: ls and up wall time`);
  for (let i = 0; i < (args.smoke ? 2 : 10); i++) {
    for (const [scenario, argv] of [
      ['portico ls', ['ls']],
      ['portico up (running)', ['up']],
    ] as const) {
      const start = process.hrtime.bigint();
      await run(process.execPath, [r.bin, ...argv], {env: r.env});
      report.record(scenario, name, Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
}

/** RSS once the daemon has served 100k+ requests (the rounds, then 3 more runs), before any capture. */
async function rssAfterLoad({args, report, r, name, progress}: PorticoRun): Promise<void> {
  progress(`${name}: RSS after load`);
  for (let i = 0; i < (args.smoke ? 0 : 3); i++) await wrk(r, Math.max(args.duration, 10), 50);
  report.record('daemon RSS after load', name, rssMb(r.pid!));
  if (args.soak > 0) {
    progress(`${name}: ${args.soak} s soak`);
    const end = Date.now() + args.soak * 1000;
    const rss: number[] = [];
    while (Date.now() < end) {
      await wrk(r, 5, 10);
      rss.push(rssMb(r.pid!));
    }
    report.record('soak RSS min', name, Math.min(...rss));
    report.record('soak RSS max', name, Math.max(...rss));
  }
}

/** HTTP/1.1 throughput and CPU per request, alternately without and with `portico dash` attached. */
async function dashboard({args, report, r, name, progress}: PorticoRun): Promise<void> {
  progress(`${name}: throughput with and without a dashboard`);
  for (let i = 0; i < args.rounds; i++) {
    const alone = await withCpu(r.pid, () => wrk(r, args.duration, 50));
    report.record('HTTP/1.1 with nobody watching', name, alone.result.rps);
    if (alone.cpu !== undefined) report.record('CPU µs per request, nobody watching', name, (alone.cpu * 1e6) / alone.result.requests);
    const watcher = await attachDashboard(r).catch((error: Error) => report.say(`- dashboard scenario failed: ${error.message}`));
    if (!watcher) break;
    if (i === 0) report.say(`- dashboard scenario: ${watcher.what}`);
    try {
      const watched = await withCpu(r.pid, () => wrk(r, args.duration, 50));
      report.record('HTTP/1.1 with a dashboard attached', name, watched.result.rps);
      if (watched.cpu !== undefined) report.record('CPU µs per request, dashboard attached', name, (watched.cpu * 1e6) / watched.result.requests);
    } finally {
      await watcher.stop();
    }
  }
}

/**
 * Capture memory stays bounded: with a dashboard attached (capture on: bodies, headers, timing of
 * every request), drive 100k requests through portico, then read the daemon's RSS. The capture store
 * holds at most 5000 exchanges / 32 MiB whatever the traffic. --smoke drives 2k.
 */
async function capturedRss({args, report, r, name, progress}: PorticoRun): Promise<void> {
  const goal = args.smoke ? 2000 : 100_000;
  progress(`${name}: RSS after ${goal} captured requests`);
  const watcher = await attachDashboard(r).catch((error: Error) => report.say(`- captured RSS scenario failed: ${error.message}`));
  if (!watcher) return;
  let sent = 0;
  try {
    while (sent < goal) {
      const seconds = Math.max(1, Math.min(10, args.duration));
      sent += (await wrk(r, seconds, 50)).requests;
    }
  } finally {
    await watcher.stop();
  }
  report.say(`- captured RSS: ${Math.round(sent)} requests with \`portico dash\` attached (capture on)`);
  report.record('daemon RSS after 100k captured requests', name, rssMb(r.pid!));
}

/**
 * The real dashboard, rendering in a real terminal: `portico dash` in a private tmux server (its own
 * socket, 160x45), once its first frame is on screen. Without tmux, `logs --follow` stands in: the
 * same event stream, without rendering.
 */
async function attachDashboard(r: {bin: string; env: NodeJS.ProcessEnv}): Promise<{what: string; stop: () => Promise<void>}> {
  if (!has('tmux')) {
    const follower = spawn(process.execPath, [r.bin, 'logs', '--follow', '--json'], {env: r.env, stdio: ['ignore', 'ignore', 'ignore']});
    await sleep(500);
    return {
      what: '`portico logs --follow` (tmux not installed: apt-get install tmux, to measure `portico dash` itself)',
      stop: async () => void follower.kill(),
    };
  }
  const tmux = (...a: string[]) => run('tmux', ['-L', `portico-bench-${process.pid}`, ...a], {env: r.env, timeoutMs: 10_000});
  const stop = async () => void (await tmux('kill-server'));
  await tmux('new-session', '-d', '-s', 'dash', '-x', '160', '-y', '45', `'${process.execPath}' '${r.bin}' dash`);
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(200)) {
    if ((await tmux('capture-pane', '-p', '-t', 'dash')).stdout.includes('req/s'))
      return {what: '`portico dash` rendering in a 160x45 tmux terminal, capturing bodies, headers and timing of every request', stop};
  }
  await stop();
  throw new Error('portico dash did not draw its first frame in tmux within 15 s');
}

/**
 * What a daemon costs when nobody uses it: a second daemon with 1,000 routes (to the live backend)
 * and no traffic, its CPU over 10 s (once start-up has settled: ten seconds with no CPU) as a percentage of one core,
 * and its RSS.
 */
export async function idleCost(options: {
  report: Report;
  name: string;
  bin: string;
  dir: string;
  backendPort: number;
  smoke: boolean;
  progress: (what: string) => void;
}): Promise<void> {
  const {report, name, bin} = options;
  const seconds = options.smoke ? 2 : 10;
  options.progress(`${name}: daemon CPU over ${seconds} idle seconds with 1,000 routes`);
  const env = porticoEnv(options.dir, `${name}-idle`);
  mkdirSync(env.PORTICO_HOME!, {recursive: true, mode: 0o700});
  const routes = Array.from({length: 1000}, (_, i) => ({
    host: `r${i}.localhost`,
    path: '/',
    targets: [{url: `http://127.0.0.1:${options.backendPort}`}],
    strategy: 'round-robin',
    stripPrefix: false,
  }));
  writeFileSync(path.join(env.PORTICO_HOME!, 'routes.json'), JSON.stringify(routes));
  const up = await run(process.execPath, [bin, 'up', '--port', String(await freePort())], {env});
  if (up.code !== 0) {
    report.say(`- idle scenario (${name}) failed: ${up.stderr.split('\n')[0]}`);
    return;
  }
  try {
    const pid = (JSON.parse(readFileSync(path.join(env.PORTICO_HOME!, 'daemon.json'), 'utf8')) as {pid: number}).pid;
    // Start-up settles first: V8 finishes its compiles and shrinks the heap for a few seconds after
    // any Node process starts. What is measured is what portico does afterwards, with nothing asked.
    const settled = await settle(pid, options.smoke ? 3 : 40);
    if (!settled && !options.smoke) report.say(`- idle scenario (${name}): start-up work had not settled after 40 s; measured anyway`);
    const before = cpuSeconds(pid);
    await sleep(seconds * 1000);
    report.record('daemon CPU idle, 1000 routes', name, ((cpuSeconds(pid) - before) / seconds) * 100);
    report.record('daemon RSS idle, 1000 routes', name, rssMb(pid));
  } finally {
    await run(process.execPath, [bin, 'down'], {env});
  }
}

/**
 * Waits until the process used no measurable CPU (under 10 ms a second) for ten seconds running, at
 * most `limit` seconds; true when it did. V8's memory reducer collects once about 8 s after a Node
 * process goes quiet: that is V8 settling after start-up, not work of portico's.
 */
async function settle(pid: number, limit: number): Promise<boolean> {
  let quiet = 0;
  for (let waited = 0; waited < limit; waited++) {
    const start = cpuSeconds(pid);
    await sleep(1000);
    quiet = cpuSeconds(pid) - start < 0.01 ? quiet + 1 : 0;
    if (quiet >= 10) return true;
  }
  return false;
}
