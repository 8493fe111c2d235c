/** `npm run bench` arguments, and the usage `--help` prints. */

export const SCENARIOS = ['h1', 'h2', 'latency', '1m', 'ws', 'compress', 'cache', 'newhost', 'cli', 'dash', 'rss', 'idle'] as const;

export interface Args {
  duration: number;
  rounds: number;
  only?: Set<string>;
  peers: Set<string>;
  smoke: boolean;
  soak: number;
  json?: string;
  /** Another built portico checkout, run side by side as the peer `before`. */
  /** Other built checkouts, run as the peers `before`, `before2`, ... (`--baseline DIR`, repeatable). */
  baselines: string[];
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]     (or: node dist/bench/run.js [options])

portico against the peers installed here (Caddy, nginx, portless, \`node\` — Node's HTTPS server
and http-proxy-3 alone, the floor portico stands on — and the backend itself as \`direct\`), and
this checkout again as \`portico-w2\` (\`up --workers 2\`: a worker process on the second core): same
backend, same load, alternating rounds, medians, ratios, CPU per request from /proc, and which
performance goals are met. Progress goes to stderr, the report to stdout.

Options:
  --duration N     seconds of load per scenario and round (default 8)
  --rounds N       rounds; each figure is the median (default 3)
  --peers LIST     comma-separated: portico,portico-w2,caddy,nginx,portless,node,direct (default: all)
  --only LIST      scenarios: ${SCENARIOS.join(' ')}
  --baseline DIR   also run another built checkout of portico (npm ci && npm run build there) as
                   the peer \`before\`, for a before/after in one run on one machine; repeat it
                   (or DIR,DIR) for \`before2\`, \`before3\`... to compare several checkouts
  --soak N         also an N-second soak with RSS sampled every 5 s
  --json FILE      write the raw samples
  --smoke          a few seconds, portico, portico-w2, node and direct only (CI runs it to keep the harness
                   working)
  --help           this text

Examples:
  npm run bench -- --duration 5 --rounds 2 --peers portico,caddy,direct
  npm run bench -- --only h1,h2 --baseline ../portico-main
  npm run bench -- --only idle,rss --peers portico
`;

export function parseArgs(argv: string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const smoke = argv.includes('--smoke');
  const peers = new Set((get('peers') ?? (smoke ? 'portico,portico-w2,node,direct' : 'portico,portico-w2,caddy,nginx,portless,node,direct')).split(','));
  const baselines = argv.flatMap((a, i) => (a === '--baseline' && argv[i + 1] !== undefined ? argv[i + 1]!.split(',') : []));
  for (const name of baselineNames(baselines)) peers.add(name);
  return {
    help: argv.includes('--help') || argv.includes('-h'),
    smoke,
    duration: smoke ? 1 : Number((get('duration') ?? '8').replace(/s$/, '')),
    rounds: smoke ? 1 : Number(get('rounds') ?? 3),
    only: get('only') ? new Set(get('only')!.split(',')) : undefined,
    peers,
    soak: Number((get('soak') ?? '0').replace(/s$/, '')),
    json: get('json'),
    baselines,
  };
}

/** The peer names of the baselines, in order: `before`, `before2`, `before3`... */
export function baselineNames(baselines: readonly string[]): string[] {
  return baselines.map((_, i) => (i === 0 ? 'before' : `before${i + 1}`));
}

/** A bad argument: one sentence naming it and the value. */
export function checkArgs(args: Args): string | undefined {
  if (!Number.isFinite(args.duration) || args.duration <= 0) return `Invalid --duration: expected seconds > 0.`;
  if (!Number.isInteger(args.rounds) || args.rounds < 1) return `Invalid --rounds: expected a whole number >= 1.`;
  const unknown = [...(args.only ?? [])].filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) return `Unknown scenario \`${unknown.join(',')}\` in --only: expected some of ${SCENARIOS.join(',')}.`;
  return undefined;
}
