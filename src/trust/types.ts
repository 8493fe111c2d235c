import type {RealUser} from '../state/home.js';

/** Result of running a command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program; `asUser` runs it as the real user under sudo. Injected so tests can record commands. */
export type Runner = (command: string, args: readonly string[], options?: {asUser?: boolean; input?: string}) => Promise<RunResult>;

export interface TrustContext {
  /** The CA certificate PEM, its file and its SHA-256 fingerprint (colon hex). */
  caPem: string;
  caPath: string;
  fingerprint256: string;
  /** Name portico gives its CA in stores that name certificates. */
  nickname: string;
  /** A leaf issued by the CA, for real chain verification (`--check`). */
  leafPath: string;
  /** The user whose stores these are (the invoking user under sudo). */
  user: RealUser;
  /** State directory (PORTICO_HOME), for the Node bundle. */
  home: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  isRoot: boolean;
  /** Filesystem root for system paths; `/` except in tests. */
  root: string;
  run: Runner;
  /** The added domain whose CA this context is about (README "Your own dev domains"); absent for the localhost CA. */
  domain?: string;
}

export type StoreName = 'system' | 'nss' | 'java' | 'node';

/** One line of the report per store. */
export interface StoreResult {
  store: string;
  /** installed/removed/trusted as asked. */
  ok: boolean;
  /** Nothing to do here (not present on this machine). */
  skipped?: boolean;
  /** What happened, in a few words. */
  message: string;
  /** How to fix a failure. */
  fix?: string;
  /** Advice, not a result: something portico cannot change itself (Node's env, a store that needs root). Never a failure. */
  advice?: boolean;
  /** Failed only because this needs root; `fix` then holds the sudo command. */
  needsRoot?: boolean;
}

/** One trust store family behind one interface; each is tried on its own so one failure never stops the others. */
export interface TrustStore {
  name: StoreName;
  install(ctx: TrustContext): Promise<StoreResult[]>;
  uninstall(ctx: TrustContext): Promise<StoreResult[]>;
  check(ctx: TrustContext): Promise<StoreResult[]>;
}
