import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import {isUserError} from '../../../src/errors.js';
import {renderCaddyfile} from '../../../src/export/caddy.js';
import {renderGateway} from '../../../src/export/gateway.js';
import {emptyBackendMap, planRoutes} from '../../../src/export/mapping.js';
import {renderNginx} from '../../../src/export/nginx.js';
import type {ExportRoute, RenderOptions} from '../../../src/export/types.js';
import {parseProjectConfig} from '../../../src/routes/project.js';
import {CADDY, NGINX} from './export-engines.js';

/**
 * Property: whatever strings a portico.json holds, the project is either refused at parse time (one
 * UserError) or exported into a config the real engine reads back with exactly the same route path,
 * health path and header rules: nothing a string holds can add, remove or change a directive.
 * Shared by `npm test` (a few runs) and the reliability suite (many).
 */

/** Characters that mean something in nginx, Caddyfile or YAML, and plain ones. */
const HOSTILE = [...';{}"\'\\$#`\t \r\n\u0000\u0085\u2028|&<>=:@!+,~%*()[]^?', 'a', 'b', 'Z', '0', '-', '.', '/', '_', 'é', '{$', '${', '\\"', '"\\'];
const hostile = (max: number) => fc.array(fc.constantFrom(...HOSTILE), {maxLength: max}).map((parts) => parts.join(''));

export interface Case {
  path: string;
  health: string;
  requestName: string;
  requestValue: string;
  responseName: string;
  responseValue: string;
  removeName: string;
}

/** Strings of one alphabet: what portico accepts there, so most cases reach the engines. */
const of = (alphabet: string | string[], max: number) => fc.array(fc.constantFrom(...alphabet), {minLength: 1, maxLength: max}).map((parts) => parts.join(''));
const PATH_CHARS = [...'aZ09-._~!+,=:@/', '%41', '%2F', '%e9'];
const TOKEN_CHARS = "!#$%&'*+.^_`|~aZ0-";
/** Every character a header value may hold that means something to nginx, Caddy or YAML. */
const VALUE_CHARS = ';{}"\'\\$#`\t |&<>=:@!+,~%*()[]^?aZ0-é';
/** Mostly what portico accepts, sometimes anything: both the parser and the exporters are under test. */
const field = (alphabet: string | string[], max: number, first = '') =>
  fc.oneof({weight: 9, arbitrary: of(alphabet, max).map((s) => first + s)}, {weight: 1, arbitrary: hostile(max)});

export const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  path: field(PATH_CHARS, 12).map((p) => `/${p}`),
  health: fc
    .tuple(field(PATH_CHARS, 8), fc.option(of([...PATH_CHARS, '&'], 6)))
    .map(([p, q]) => (q === null ? p : `${p}?${q}`))
    .map((p) => `/${p}`),
  requestName: field(TOKEN_CHARS, 6, 'x'),
  requestValue: field(VALUE_CHARS, 24),
  responseName: field(TOKEN_CHARS, 6, 'x'),
  responseValue: field(VALUE_CHARS, 24),
  removeName: field(TOKEN_CHARS, 6, 'x'),
});

/** The project a case describes, planned for export; undefined when portico refuses it at parse time. */
export function planCase(c: Case): ExportRoute[] | undefined {
  const config = {
    routes: {
      [`app.localhost${c.path}`]: {
        targets: 'localhost:9090',
        health: c.health,
        requestHeaders: [`${c.requestName}: ${c.requestValue}`],
        responseHeaders: [`${c.responseName}: ${c.responseValue}`, `-${c.removeName}`],
      },
    },
  };
  let routes: ReturnType<typeof parseProjectConfig>['routes'];
  try {
    routes = parseProjectConfig(config, 'portico.json', '/project').routes;
  } catch (error) {
    if (isUserError(error)) return undefined;
    throw error;
  }
  return planRoutes(routes, 'example.com', emptyBackendMap());
}

const RENDER: RenderOptions = {selectorLabel: 'app.kubernetes.io/name', gateway: 'public', listen: {host: '127.0.0.1', port: 18080}};

/** Render for an engine; undefined when the exporter refuses with a UserError (a value no token can hold). */
function render(fn: typeof renderNginx, routes: ExportRoute[]): string | undefined {
  try {
    return fn(routes, RENDER).text;
  } catch (error) {
    if (isUserError(error)) return undefined;
    throw error;
  }
}

/** A scratch dir per property run. */
export function scratch(): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-export-prop-'));
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})};
}

/** nginx -t accepts the export, and its tokens give back the rules exactly. */
export function checkNginx(dir: string, routes: ExportRoute[]): void {
  const text = render(renderNginx, routes);
  if (text === undefined) throw new Error('the nginx export refused a value, which nginx can always hold');
  const exported = path.join(dir, 'portico.conf');
  writeFileSync(exported, text);
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp, {recursive: true});
  const main = path.join(dir, 'nginx.conf');
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${path.join(tmp, t)};`);
  writeFileSync(
    main,
    [
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')};`,
      'events {}',
      'http {',
      'access_log off;',
      ...temps,
      `include ${exported};`,
      '}',
      '',
    ].join('\n'),
  );
  const result = spawnSync(NGINX, ['-t', '-q', '-p', dir, '-c', main, '-e', path.join(dir, 'error.log')], {encoding: 'utf8'});
  if (result.status !== 0) throw new Error(`nginx -t refused the export:\n${result.stderr}\n${text}`);
  const route = routes[0]!;
  const directives = nginxDirectives(text);
  const args = (name: string) => directives.filter((d) => d[0] === name).map((d) => d.slice(1));
  expectEqual(args('location'), route.path === '/' ? [['/']] : [['=', route.path], [`${route.path}/`]], 'nginx locations');
  const set = args('proxy_set_header').filter(
    (a) => !['Host', 'Upgrade', 'Connection', 'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host'].includes(a[0]!),
  );
  const rule = route.options.requestHeaders![0]!;
  const times = route.path === '/' ? 1 : 2;
  expectEqual(
    set.map(([n, v]) => [n!.toLowerCase(), v]),
    Array(times).fill([rule.name, rule.value]),
    'nginx proxy_set_header',
  );
  const res = route.options.responseHeaders![0]!;
  expectEqual(
    args('add_header').map(([n, v, a]) => [n!.toLowerCase(), v, a]),
    Array(times).fill([res.name, res.value, 'always']),
    'nginx add_header',
  );
}

/** nginx's tokenizer, as far as exported files use it: quoted strings with `\` escapes, `;` `{` `}` and comments. */
function nginxDirectives(text: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else if (c === ';' || c === '{' || c === '}') {
      if (current.length > 0) out.push(current);
      current = [];
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (text[i] !== c) {
        if (i >= text.length) throw new Error('unterminated string in the nginx export');
        if (text[i] === '\\' && /["'\\]/.test(text[i + 1] ?? '')) i++;
        value += text[i++];
      }
      i++;
      current.push(value.replaceAll('${portico_dollar}', '$'));
    } else {
      let token = '';
      while (i < text.length && !/[\s;{}]/.test(text[i]!)) token += text[i++];
      current.push(token);
    }
  }
  return out;
}

/** `caddy adapt` reads the export, and its JSON holds the rules exactly; or the exporter refused by name. */
export function checkCaddy(dir: string, routes: ExportRoute[]): void {
  const text = render(renderCaddyfile, routes);
  const route = routes[0]!;
  if (text === undefined) {
    const values = [...route.options.requestHeaders!, ...route.options.responseHeaders!].map((r) => r.value ?? '');
    if (!values.some((v) => v.includes('{$') || (v.includes('`') && /\\("|$)/.test(v)))) throw new Error('the Caddy export refused a value it can hold');
    return;
  }
  const file = path.join(dir, 'Caddyfile');
  writeFileSync(file, text);
  const home = path.join(dir, 'home');
  const result = spawnSync(CADDY, ['adapt', '--config', file, '--adapter', 'caddyfile'], {
    encoding: 'utf8',
    env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home},
  });
  if (result.status !== 0) throw new Error(`caddy adapt refused the export:\n${result.stderr}\n${text}`);
  const json = JSON.stringify(JSON.parse(result.stdout));
  const proxy = findAll(JSON.parse(result.stdout), (o) => o.handler === 'reverse_proxy')[0];
  const matcher = findAll(JSON.parse(result.stdout), (o) => Array.isArray(o.path))[0];
  // Caddy's replacer reads `\{` as a literal brace: that is how a value's braces are written.
  const unbrace = (v: string) => v.replace(/\\([{}])/g, '$1');
  const req = route.options.requestHeaders![0]!;
  const res = route.options.responseHeaders![0]!;
  const removed = route.options.responseHeaders![1]!;
  const headers = proxy?.headers as {request?: {set?: Record<string, string[]>}; response?: {set?: Record<string, string[]>; delete?: string[]}} | undefined;
  expectEqual(matcher?.path, route.path === '/' ? undefined : [route.path, `${route.path}/*`], `caddy path matcher in ${json}`);
  expectEqual((proxy?.health_checks as {active?: {uri?: string}} | undefined)?.active?.uri, route.health, 'caddy health uri');
  expectEqual(
    Object.entries(headers?.request?.set ?? {}).map(([n, v]) => [n.toLowerCase(), v.map(unbrace)]),
    [[req.name, [req.value]]],
    'caddy header_up',
  );
  expectEqual(
    Object.entries(headers?.response?.set ?? {}).map(([n, v]) => [n.toLowerCase(), v.map(unbrace)]),
    [[res.name, [res.value]]],
    'caddy header_down set',
  );
  expectEqual(
    headers?.response?.delete?.map((n) => n.toLowerCase()),
    [removed.name],
    'caddy header_down delete',
  );
}

/** The Gateway API YAML parses back to the same path and header values. */
export function checkYaml(routes: ExportRoute[]): void {
  const text = render(renderGateway, routes);
  if (text === undefined) throw new Error('the gateway export refused a value');
  // biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked by the expectations below
  const docs = YAML.parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);
  const httpRoute = docs.find((d) => d.kind === 'HTTPRoute')!;
  const rule = httpRoute.spec.rules[0];
  const route = routes[0]!;
  expectEqual(rule.matches[0].path.value, route.path, 'YAML path');
  const req = rule.filters.find((f: {type: string}) => f.type === 'RequestHeaderModifier').requestHeaderModifier;
  expectEqual(req.set, [{name: route.options.requestHeaders![0]!.name, value: route.options.requestHeaders![0]!.value}], 'YAML request headers');
}

function findAll(node: unknown, test: (o: Record<string, unknown>) => boolean, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(node)) for (const n of node) findAll(n, test, out);
  else if (node && typeof node === 'object') {
    if (test(node as Record<string, unknown>)) out.push(node as Record<string, unknown>);
    for (const v of Object.values(node)) findAll(v, test, out);
  }
  return out;
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/** Run the property for `runs` cases; returns how many portico accepted, so reached the engines. */
export function exportNeverInjectable(runs: number, seed?: number): number {
  const work = scratch();
  let accepted = 0;
  try {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const routes = planCase(c);
        if (routes === undefined) return;
        accepted++;
        checkNginx(work.dir, routes);
        checkCaddy(work.dir, routes);
        checkYaml(routes);
      }),
      {numRuns: runs, ...(seed === undefined ? {} : {seed}), endOnFailure: true},
    );
  } finally {
    work.cleanup();
  }
  return accepted;
}
