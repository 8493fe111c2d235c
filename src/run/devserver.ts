import {readFileSync} from 'node:fs';
import path from 'node:path';
import {nextLockRefusal, viteHasLock} from './dev-locks.js';

/** A dev server that ignores PORT: when it serves, and the flags that pin it to one port on loopback. */
interface DevTool {
  /** Does this invocation serve, given its first positional argument (undefined: none)? */
  serves: (sub: string | undefined) => boolean;
  flags: (port: number) => string[];
}

const on =
  (...subs: Array<string | undefined>) =>
  (sub: string | undefined): boolean =>
    subs.includes(sub);
// --strictPort: fail rather than drift to a port portico does not know about. `--host 127.0.0.1` only
// picks the listening address; Vite's Host check (allowedHosts) always lets `*.localhost` through.
const viteFlags = (p: number) => ['--port', String(p), '--strictPort', '--host', '127.0.0.1'];
const portHost = (p: number) => ['--port', String(p), '--host', '127.0.0.1'];
const portOnly = (p: number) => ['--port', String(p)];

const TOOLS: Record<string, DevTool> = {
  // `vite`, `vite ./app`, `vite dev|serve|preview` serve; `vite build` and `vite optimize` do not.
  vite: {serves: (sub) => sub !== 'build' && sub !== 'optimize', flags: viteFlags},
  astro: {serves: on('dev', 'start', 'preview'), flags: portHost},
  ng: {serves: on('serve', 's', 'dev'), flags: portHost},
  nuxt: {serves: on('dev', undefined), flags: portHost},
  nuxi: {serves: on('dev', undefined), flags: portHost},
  webpack: {serves: on('serve', 'server', 's'), flags: portHost},
  'webpack-dev-server': {serves: () => true, flags: portHost},
  'vue-cli-service': {serves: on('serve'), flags: portHost},
  // Next honours PORT too; the flags make it explicit and keep it off other interfaces.
  next: {serves: on('dev', 'start'), flags: (p) => ['--port', String(p), '--hostname', '127.0.0.1']},
  // Classic `remix dev --port` is its own HMR port, not the app's (the app reads PORT): only vite:dev.
  remix: {serves: on('vite:dev'), flags: viteFlags},
  'react-router': {serves: on('dev'), flags: viteFlags},
  'svelte-kit': {serves: on('dev', 'preview'), flags: portOnly},
  ember: {serves: on('serve', 's', 'server'), flags: portOnly},
  'solid-start': {serves: on('dev', 'start'), flags: portOnly},
  gatsby: {serves: on('develop', 'serve'), flags: portHost},
  docusaurus: {serves: on('start', 'serve'), flags: portHost},
  storybook: {serves: on('dev'), flags: portOnly},
  wrangler: {serves: on('dev'), flags: (p) => ['--port', String(p), '--ip', '127.0.0.1']},
};

/** What `portico run` executes for one instance. */
export interface PortPlan {
  argv: string[];
  /** The dev tool whose port flags were added. */
  tool?: string;
  /** Why no flags could be added although a known tool is in there (a script running several commands). */
  warning?: string;
  /** The tool's subcommand (`dev` of `next dev`). */
  sub?: string;
  /** Why these instances cannot run at all (a tool that allows one per project): said before any starts. */
  refusal?: string;
}

/** `vite` from `/x/node_modules/.bin/vite.cmd`, `vite.js`, `VITE.EXE`. */
function commandName(word: string): string {
  // win32's basename splits on both / and \.
  return path.win32
    .basename(word)
    .replace(/\.(cmd|exe|ps1|js|mjs|cjs)$/i, '')
    .toLowerCase();
}

/** Leading options (and `--`) of a runner; `-p pkg`/`--package pkg` take a value. */
function skipOptions(words: readonly string[]): string[] {
  let i = 0;
  while (i < words.length && words[i]!.startsWith('-')) {
    const word = words[i++]!;
    if (word === '--') break;
    if (word === '-p' || word === '--package' || word === '-r' || word === '--require') i++;
  }
  return words.slice(i);
}

/**
 * The words from the command that actually runs on: `npx -y vite` -> `vite`, `pnpm exec astro dev`
 * -> `astro dev`, `cross-env A=1 node node_modules/vite/bin/vite.js` -> `vite.js`.
 */
function unwrap(argv: readonly string[]): string[] {
  let words = [...argv];
  for (let depth = 0; depth < 8 && words.length > 0; depth++) {
    const [head, ...rest] = words as [string, ...string[]];
    const name = commandName(head);
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(head) || name === 'env' || name === 'cross-env') words = rest;
    else if (name === 'npx' || name === 'bunx' || name === 'pnpx' || name === 'node') words = skipOptions(rest);
    else if ((name === 'pnpm' || name === 'yarn') && (rest[0] === 'dlx' || rest[0] === 'exec')) words = skipOptions(rest.slice(1));
    else if (name === 'npm' && (rest[0] === 'exec' || rest[0] === 'x')) words = skipOptions(rest.slice(1));
    else if (name === 'bun' && rest[0] === 'x') words = skipOptions(rest.slice(1));
    else return words;
  }
  return words;
}

/** The known dev tool these words start, when this invocation of it serves. */
function servingTool(words: readonly string[]): string | undefined {
  return servingInvocation(words)?.name;
}

/** The known dev tool these words start and its subcommand (`next dev`), when this invocation serves. */
function servingInvocation(words: readonly string[]): {name: string; sub: string | undefined} | undefined {
  const [head, ...rest] = unwrap(words);
  if (head === undefined) return undefined;
  const name = commandName(head);
  const tool = Object.hasOwn(TOOLS, name) ? TOOLS[name] : undefined;
  const sub = rest.find((w) => !w.startsWith('-'));
  return tool?.serves(sub) ? {name, sub} : undefined;
}

/** `npm run dev`, `npm start`, `pnpm dev`, `yarn run dev`, `bun run dev`: the runner and script name. */
function scriptOf(argv: readonly string[]): {runner: string; script: string} | undefined {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return undefined;
  const runner = commandName(cmd);
  if (!['npm', 'pnpm', 'yarn', 'bun'].includes(runner)) return undefined;
  const args = rest.filter((w) => !w.startsWith('-'));
  if (args[0] === 'run' || args[0] === 'run-script') return args[1] === undefined ? undefined : {runner, script: args[1]};
  if (runner === 'npm') return args[0] === 'start' || args[0] === 'test' ? {runner, script: args[0]} : undefined;
  // pnpm, yarn and bun also run `<runner> <script>`.
  return args[0] === undefined ? undefined : {runner, script: args[0]};
}

/** Shell words of the script's last command (`a && b` -> b), quotes dropped. */
function scriptCommands(body: string): string[][] {
  return body
    .split(/&&|\|\||[;|&]/)
    .map((part) =>
      part
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((w) => w.replace(/^['"]|['"]$/g, '')),
    )
    .filter((words) => words.length > 0);
}

function readScript(cwd: string, name: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as {scripts?: Record<string, unknown>};
    const body = pkg.scripts?.[name];
    return typeof body === 'string' ? body : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The command plus the port flags of a dev server that ignores PORT, when it can be recognised
 * directly (`vite`, `npx astro dev`, `ng serve`) or through a package script (`npm run dev` whose
 * script is `vite`: npm then needs `--` before the flags; pnpm, yarn and bun pass them through).
 */
export function withPortFlags(argv: readonly string[], port: number, cwd: string, instances = 1): PortPlan {
  const plan = portFlags(argv, port, cwd);
  // Several instances of one Vite project on purpose: Vite's own lock would stop all but the first.
  if (instances > 1 && plan.tool === 'vite' && viteHasLock(argv, cwd)) plan.argv.push('--bypass-lock');
  if (instances > 1 && plan.tool === 'next' && plan.sub === 'dev') {
    const refusal = nextLockRefusal(argv, cwd, instances);
    if (refusal) plan.refusal = refusal;
  }
  return plan;
}

function portFlags(argv: readonly string[], port: number, cwd: string): PortPlan {
  const script = scriptOf(argv);
  const body = script && readScript(cwd, script.script);
  if (script && body !== undefined) {
    const commands = scriptCommands(body);
    const last = commands.at(-1);
    const invocation = last && servingInvocation(last);
    if (invocation) {
      const flags = TOOLS[invocation.name]!.flags(port);
      // npm needs one `--` before script arguments (the user may have written it already).
      const separator = script.runner === 'npm' && !argv.includes('--') ? ['--'] : [];
      return {argv: [...argv, ...separator, ...flags], tool: invocation.name, ...(invocation.sub ? {sub: invocation.sub} : {})};
    }
    // Anywhere else in the script (`vite & tsc -w`, `concurrently "vite" "tsc -w"`): flags would land on the wrong command.
    const inside = commands.flatMap((words) => words.map((_, i) => servingTool(words.slice(i)))).find(Boolean);
    if (inside) {
      return {
        argv: [...argv],
        warning: `script \`${script.script}\` runs \`${body}\`: portico cannot pass the port to ${inside} there; it must listen on $PORT.`,
      };
    }
    return {argv: [...argv]};
  }
  // `yarn vite`, `pnpm vite`: no script of that name, so the runner starts the package's binary.
  const direct = servingInvocation(argv) ?? (script ? servingInvocation(argv.slice(argv.indexOf(script.script))) : undefined);
  if (direct) return {argv: [...argv, ...TOOLS[direct.name]!.flags(port)], tool: direct.name, ...(direct.sub ? {sub: direct.sub} : {})};
  return {argv: [...argv]};
}
