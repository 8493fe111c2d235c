import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {InputError, UserError, errorCode, isUserError} from '../errors.js';
import {parseDeployConfig, type DeployConfig} from './deploy.js';
import {PROJECT_FILE_LIMITS, jsonDepth} from './json-limits.js';
import {jsonErrorPosition} from './json-position.js';
import {validateSwitch} from './copy.js';
import {toLabel} from './name.js';
import {parseHealthPath, parseRouteSpec, parseStrategy, parseTarget, parseWeight} from './parse.js';
import {PROJECT_OPTION_KEYS, parseProjectOptions} from './options-data.js';
import type {Route, RouteOptions, RouteTarget} from './types.js';
import {isObject} from './object.js';

/** A project's declared routes: `portico.json`, or the `"portico"` key of package.json. */
export interface ProjectConfig {
  /** Absolute project directory; its routes are tagged with it. */
  project: string;
  /** The file they came from. */
  file: string;
  /** `name` from portico.json, if given (used by `portico run`). */
  name?: string;
  routes: Route[];
  /** The `deploy` section (`portico export`), if given. */
  deploy?: DeployConfig;
  /** `"allowRemoteTargets": true`: the file may send names to targets outside this machine (see routes/remote.ts). */
  allowRemoteTargets?: boolean;
}

/** Read a JSON file; undefined when absent; UserError with line and column when malformed or over the limits. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    if (statSync(file).size > PROJECT_FILE_LIMITS.bytes) throw new UserError(tooLarge(file), {exit: 2});
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isUserError(error)) throw error;
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new UserError(`Cannot read \`${file}\`: ${errorCode(error) ?? (error as Error).message}.`, {cause: error});
  }
  text = text.replace(/^\uFEFF/, '');
  // Checked before parsing: JSON.parse of a deeply nested file overflows the stack in whatever reads it next.
  if (jsonDepth(text) > PROJECT_FILE_LIMITS.depth) {
    throw new UserError(`Invalid \`${file}\`: it nests deeper than ${PROJECT_FILE_LIMITS.depth} levels of objects and lists.`, {exit: 2});
  }
  try {
    return JSON.parse(text);
  } catch {
    const at = jsonErrorPosition(text);
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    throw new InputError(`Malformed JSON in \`${file}\`${where}.`, {
      hint: 'Fix the file, or check it against node_modules/portico/schema/portico.schema.json.',
    });
  }
}

const tooLarge = (file: string): string =>
  `Invalid \`${file}\`: it is larger than ${PROJECT_FILE_LIMITS.bytes / 1024 / 1024} MiB, far more than any project's routes.`;

/** Find and validate the project config in `dir`, or undefined when the project declares none; `domains`: the added suffixes. */
export function loadProjectConfig(dir: string, domains: readonly string[] = []): ProjectConfig | undefined {
  const project = path.resolve(dir);
  const porticoFile = path.join(project, 'portico.json');
  const own = readJsonFile(porticoFile);
  if (own !== undefined) return parseProjectConfig(own, porticoFile, project, domains);
  const pkgFile = path.join(project, 'package.json');
  const pkg = readJsonFile(pkgFile);
  if (isObject(pkg) && pkg.portico !== undefined) return parseProjectConfig(pkg.portico, `${pkgFile}#portico`, project, domains);
  return undefined;
}

/** Validate a config object: `{"routes": {"app.localhost": 5173, "app.localhost/api": {"targets": [9090, 9091]}}}`. */
export function parseProjectConfig(config: unknown, file: string, project: string, domains: readonly string[] = []): ProjectConfig {
  const fail = (what: string): never => {
    throw new InputError(`Invalid \`${file}\`: ${what}`, {
      hint: 'See the format in node_modules/portico/schema/portico.schema.json (README "Project routes: portico.json").',
    });
  };
  if (!isObject(config)) fail('expected an object with a `routes` key.');
  const {routes, name, allowRemoteTargets} = config as Record<string, unknown>;
  if (name !== undefined && typeof name !== 'string') fail(`\`name\` must be a string, got ${JSON.stringify(name)}.`);
  if (allowRemoteTargets !== undefined && typeof allowRemoteTargets !== 'boolean')
    fail(`\`allowRemoteTargets\` must be true or false, got ${JSON.stringify(allowRemoteTargets)}.`);
  if (routes === undefined) fail('missing `routes`.');
  if (!isObject(routes)) fail('`routes` must be an object mapping `host[/path]` to targets.');
  const out: Route[] = [];
  for (const [spec, value] of Object.entries(routes as Record<string, unknown>)) {
    try {
      out.push({...parseRouteSpec(spec, domains), ...parseRouteValue(value, spec), project});
    } catch (error) {
      if (isUserError(error)) fail(`route \`${spec}\`: ${error.message}`);
      throw error;
    }
  }
  try {
    // `portico run` reads it (README "Copies of an app"); `up` refuses a bad one all the same.
    if ((config as Record<string, unknown>).copies !== undefined) validateSwitch((config as Record<string, unknown>).copies);
  } catch (error) {
    fail(`${(error as Error).message}.`);
  }
  let deploy: DeployConfig | undefined;
  try {
    deploy = (config as Record<string, unknown>).deploy === undefined ? undefined : parseDeployConfig((config as Record<string, unknown>).deploy);
  } catch (error) {
    if (isUserError(error)) fail(error.message);
    throw error;
  }
  return {
    project,
    file,
    name: name as string | undefined,
    routes: out,
    ...(deploy ? {deploy} : {}),
    ...(allowRemoteTargets === true ? {allowRemoteTargets: true} : {}),
  };
}

function parseRouteValue(value: unknown, spec: string): Omit<Route, 'host' | 'path' | 'project'> {
  if (!isObject(value)) {
    return {targets: parseProjectTargets(value), strategy: 'round-robin', stripPrefix: false};
  }
  const known = new Set(['targets', 'target', 'strategy', 'health', 'stripPrefix', ...PROJECT_OPTION_KEYS]);
  for (const key of Object.keys(value)) if (!known.has(key)) throw new InputError(`unknown key \`${key}\` (expected ${[...known].join(', ')}).`);
  const raw = value.targets ?? value.target;
  if (raw === undefined) throw new InputError(`\`${spec}\` needs \`targets\`.`);
  if (value.strategy !== undefined && typeof value.strategy !== 'string') throw new InputError('`strategy` must be a string.');
  if (value.health !== undefined && typeof value.health !== 'string') throw new InputError('`health` must be a path string.');
  if (value.stripPrefix !== undefined && typeof value.stripPrefix !== 'boolean') throw new InputError('`stripPrefix` must be true or false.');
  return {
    targets: parseProjectTargets(raw),
    strategy: value.strategy === undefined ? 'round-robin' : parseStrategy(value.strategy as string),
    ...(value.health === undefined ? {} : {health: parseHealthPath(value.health as string)}),
    stripPrefix: (value.stripPrefix as boolean | undefined) ?? false,
    ...withOptions(parseProjectOptions(value)),
  };
}

/** `targets`: a port, a string, `{"target": 9090, "weight": 3}`, or a list of them. */
function parseProjectTargets(value: unknown): RouteTarget[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new InputError('needs at least one target.');
  return list.map((t) => {
    if (isObject(t)) {
      for (const key of Object.keys(t))
        if (key !== 'target' && key !== 'weight') throw new InputError(`unknown key \`${key}\` in target ${JSON.stringify(t)} (expected target, weight).`);
      if (typeof t.target !== 'number' && typeof t.target !== 'string')
        throw new InputError(`target ${JSON.stringify(t)} needs \`target\`: a port number or a string.`);
      const url = parseTarget(t.target).url;
      const weight = t.weight === undefined ? 1 : parseWeight(t.weight, JSON.stringify(t));
      return weight === 1 ? {url} : {url, weight};
    }
    if (typeof t !== 'number' && typeof t !== 'string')
      throw new InputError(`target ${JSON.stringify(t)} must be a port number, a string or {"target": ..., "weight": ...}.`);
    return {url: parseTarget(t).url};
  });
}

/** Per-route options (README "Front door") go on the route only when there are some. */
function withOptions(options: RouteOptions): {options?: RouteOptions} {
  return Object.keys(options).length > 0 ? {options} : {};
}

/**
 * The name a project runs under (`portico run`): `--name`, else portico.json `name`, else the
 * package.json `name` without its scope, else the directory name; made a valid DNS label.
 */
export function inferProjectName(dir: string, explicit?: string): string {
  const candidates: Array<string | undefined> = [explicit];
  const own = readJsonFile(path.join(dir, 'portico.json'));
  if (isObject(own) && typeof own.name === 'string') candidates.push(own.name);
  const pkg = readJsonFile(path.join(dir, 'package.json'));
  if (isObject(pkg) && typeof pkg.name === 'string') candidates.push(pkg.name);
  candidates.push(path.basename(path.resolve(dir)));
  for (const candidate of candidates) {
    const label = candidate === undefined ? undefined : toLabel(candidate);
    if (label) return label;
  }
  return 'app';
}
