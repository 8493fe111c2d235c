import {watch} from 'node:fs';
import {render} from 'ink';
import {createElement} from 'react';
import type {StatePaths} from '../state/home.js';
import {formatEventLine} from '../traffic/format.js';
import {dashActions} from './actions.js';
import {App} from './App.js';
import {DashModel} from './model.js';
import {daemonSource, type DashSource} from './source.js';

export interface DashboardOptions {
  /** Where data comes from; default: the daemon of `paths`. */
  source?: DashSource;
  paths?: StatePaths;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Whether browsers trust the CA; shown in the header. Default: a background `trust --check`. */
  trust?: () => Promise<'trusted' | 'untrusted' | 'unknown'>;
  /** The model, for tests. */
  model?: DashModel;
  /** `w` keeps secret header values in the HAR file (`dash --with-secrets`). */
  withSecrets?: boolean;
}

function sourceOf(options: DashboardOptions): DashSource {
  if (options.source) return options.source;
  if (!options.paths) throw new Error('runDashboard needs a source or paths');
  return daemonSource(options.paths);
}

/** Feed a model from a source: events as they come, status about once a second. Returns a stop. */
export function connect(model: DashModel, source: DashSource): () => void {
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      try {
        model.setStatus(await source.status());
        if (source.lan) model.setLan(await source.lan());
      } catch (error) {
        model.setError(`Cannot reach portico: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
      model.tick();
    }
  };
  void poll();
  const unsubscribe = source.subscribe(
    (event) => model.push(event),
    (error) => model.setError(error.message),
  );
  return () => {
    stopped = true;
    unsubscribe();
  };
}

/** The live dashboard in this terminal; resolves when the user quits (q or Ctrl-C). */
export async function runDashboard(options: DashboardOptions): Promise<void> {
  const source = sourceOf(options);
  const model = options.model ?? new DashModel({actions: dashActions({source, stdout: options.stdout ?? process.stdout, withSecrets: options.withSecrets})});
  const stop = connect(model, source);
  let trust = 'checking…';
  const instance = render(createElement(App, {model, trust}), {
    ...(options.stdout ? {stdout: options.stdout} : {}),
    ...(options.stdin ? {stdin: options.stdin} : {}),
    exitOnCtrlC: false,
  });
  const checkTrust = options.trust ?? (options.paths ? defaultTrustCheck(options.paths) : async () => 'unknown' as const);
  // Only the latest check may set the header: an earlier, slower one must not overwrite it.
  let latest = 0;
  const recheck = () => {
    const mine = ++latest;
    void checkTrust().then((state) => {
      if (mine !== latest) return;
      trust = state;
      instance.rerender(createElement(App, {model, trust}));
    });
  };
  recheck();
  // `trust` and `untrust` run in another terminal while the dashboard is open: they rewrite trust.json.
  const unwatch = options.paths ? watchTrustMarker(options.paths, recheck) : () => undefined;
  try {
    await instance.waitUntilExit();
  } finally {
    unwatch();
    stop();
    model.dispose();
    instance.unmount();
  }
}

/** Calls `onChange` whenever trust.json in PORTICO_HOME is written or removed; returns a stop. */
function watchTrustMarker(paths: StatePaths, onChange: () => void): () => void {
  try {
    const watcher = watch(paths.home, (_event, file) => {
      if (file === null || String(file).startsWith('trust.json')) onChange();
    });
    watcher.on('error', () => undefined);
    return () => watcher.close();
  } catch {
    // No PORTICO_HOME to watch: the first check stands.
    return () => undefined;
  }
}

function defaultTrustCheck(paths: StatePaths): () => Promise<'trusted' | 'untrusted' | 'unknown'> {
  return async () => {
    try {
      const {parseStores, runTrust} = await import('../trust/index.js');
      // What `trust --check` checks by default: the stores `trust` installs for this user.
      const {results, failed} = await runTrust({paths, action: 'check', selection: parseStores(undefined, {})});
      if (results.every((r) => r.skipped || r.advice)) return 'unknown';
      return failed ? 'untrusted' : 'trusted';
    } catch {
      return 'unknown';
    }
  };
}

/** No TTY (piped, CI): one plain line per event, no escape codes, until the signal aborts or the source ends. */
export async function runPlain(options: {source?: DashSource; paths?: StatePaths; out: (line: string) => void; signal?: AbortSignal}): Promise<void> {
  const source = sourceOf(options);
  await new Promise<void>((resolve) => {
    const unsubscribe = source.subscribe(
      (event) => options.out(formatEventLine(event)),
      (error) => {
        options.out(`portico: ${error.message}`);
        resolve();
      },
    );
    options.signal?.addEventListener(
      'abort',
      () => {
        unsubscribe();
        resolve();
      },
      {once: true},
    );
  });
}
