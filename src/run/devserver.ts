import {readFileSync} from 'node:fs';
import path from 'node:path';

/**
 * Dev servers that ignore PORT, and the flags that pin them to a port on loopback. Matched on the
 * command name (also behind npx/pnpm dlx/yarn dlx/bunx, and inside `npm run <script>`).
 */
const PORT_FLAGS: Record<string, (port: number) => string[]> = {
  // --strictPort: fail rather than drift to another port portico does not know about.
  vite: (p) => ['--port', String(p), '--strictPort', '--host', '127.0.0.1'],
  astro: (p) => ['--port', String(p), '--host', '127.0.0.1'],
  ng: (p) => ['--port', String(p), '--host', '127.0.0.1'],
  nuxt: (p) => ['--port', String(p), '--host', '127.0.0.1'],
  nuxi: (p) => ['--port', String(p), '--host', '127.0.0.1'],
  'webpack-dev-server': (p) => ['--port', String(p), '--host', '127.0.0.1'],
  webpack: (p) => ['--port', String(p), '--host', '127.0.0.1'],
  next: (p) => ['--port', String(p), '--hostname', '127.0.0.1'],
  remix: (p) => ['--port', String(p)],
  'react-router': (p) => ['--port', String(p), '--strictPort'],
  'svelte-kit': (p) => ['--port', String(p), '--strictPort'],
  ember: (p) => ['--port', String(p)],
  'solid-start': (p) => ['--port', String(p)],
  qwik: (p) => ['--port', String(p)],
};

const RUNNERS = new Set(['npx', 'bunx', 'pnpx']);

function tool(word: string | undefined): string | undefined {
  if (!word) return undefined;
  const base = path.basename(word).replace(/\.(cmd|exe|js|mjs)$/, '');
  return base in PORT_FLAGS ? base : undefined;
}

/** The dev tool a command line starts directly (`vite`, `npx vite`, `pnpm dlx astro dev`), if known. */
function directTool(argv: readonly string[]): string | undefined {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return undefined;
  const base = path.basename(cmd);
  if (RUNNERS.has(base)) return tool(rest.find((a) => !a.startsWith('-')));
  if ((base === 'pnpm' || base === 'yarn') && rest[0] === 'dlx') return tool(rest[1]);
  if (base === 'node' && rest[0]) return tool(rest[0]);
  return tool(cmd);
}

/** `npm run dev`, `pnpm dev`, `yarn dev`, `bun run dev`: the script name, if this runs a package script. */
function scriptName(argv: readonly string[]): string | undefined {
  const [cmd, a, b] = argv;
  const base = cmd ? path.basename(cmd) : '';
  if (base === 'npm' && (a === 'run' || a === 'run-script')) return b;
  if (base === 'npm' && (a === 'start' || a === 'dev')) return a;
  if ((base === 'pnpm' || base === 'yarn' || base === 'bun') && a === 'run') return b;
  if ((base === 'pnpm' || base === 'yarn') && a && !a.startsWith('-') && !['install', 'add', 'dlx', 'exec'].includes(a)) return a;
  return undefined;
}

/** What `portico run` will execute for one instance on `port`: the command plus any port flags. */
export function withPortFlags(argv: readonly string[], port: number, cwd: string): {argv: string[]; tool?: string} {
  const direct = directTool(argv);
  if (direct) return {argv: [...argv, ...PORT_FLAGS[direct]!(port)], tool: direct};
  const script = scriptName(argv);
  if (script) {
    const body = readScript(cwd, script);
    const words = body?.split(/\s+/).filter(Boolean) ?? [];
    // The script's own command, e.g. "vite", "astro dev", "ng serve", "cross-env X=1 vite".
    const found = words.map((w) => tool(w)).find(Boolean);
    if (found) {
      const flags = PORT_FLAGS[found]!(port);
      // npm needs `--` before script arguments; pnpm, yarn and bun pass them through.
      return {argv: path.basename(argv[0]!) === 'npm' ? [...argv, '--', ...flags] : [...argv, ...flags], tool: found};
    }
  }
  return {argv: [...argv]};
}

function readScript(cwd: string, name: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as {scripts?: Record<string, string>};
    return pkg.scripts?.[name];
  } catch {
    return undefined;
  }
}
