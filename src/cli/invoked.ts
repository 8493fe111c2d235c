import path from 'node:path';

/**
 * How the user started portico, for the commands a hint prints (DESIGN "Hints use the form the user
 * invoked"): `npx portico` under npx (a project install has no bare `portico` on PATH), else the
 * executable's own name, `portico` or `proxy`.
 */
export function invokedAs(env: NodeJS.ProcessEnv = process.env, argv1: string = process.argv[1] ?? ''): string {
  const base = path.basename(argv1).replace(/\.js$/, '');
  const name = base === 'proxy' ? 'proxy' : 'portico';
  return env.npm_command === 'exec' ? `npx ${name}` : name;
}
