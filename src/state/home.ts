import {mkdirSync, chmodSync, chownSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {UserError, errorCode} from '../errors.js';

/** Every file portico keeps, under one directory (DESIGN.md "State"). */
export interface StatePaths {
  home: string;
  caCert: string;
  caKey: string;
  certsDir: string;
  routes: string;
  daemon: string;
  socket: string;
  log: string;
}

/** The user portico acts for: the invoking user under sudo, else the current one. */
export interface RealUser {
  home: string;
  uid?: number;
  gid?: number;
  name: string;
}

/**
 * Under sudo, files and trust stores belong to the user who ran sudo (SUDO_USER),
 * not root: otherwise `sudo portico up` would create a root-owned ~/.portico the user can't read.
 */
export function realUser(env: NodeJS.ProcessEnv = process.env): RealUser {
  const sudoUser = env.SUDO_USER;
  const sudoUid = Number(env.SUDO_UID);
  const sudoGid = Number(env.SUDO_GID);
  if (process.getuid?.() === 0 && sudoUser && sudoUser !== 'root' && Number.isInteger(sudoUid)) {
    const home = homeOf(sudoUser) ?? path.join('/home', sudoUser);
    return {home, uid: sudoUid, gid: Number.isInteger(sudoGid) ? sudoGid : undefined, name: sudoUser};
  }
  return {home: env.HOME || os.homedir(), name: os.userInfo().username};
}

function homeOf(user: string): string | undefined {
  try {
    // /etc/passwd: name:x:uid:gid:gecos:home:shell
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${user}:`));
    return line?.split(':')[5] || undefined;
  } catch {
    return undefined;
  }
}

/** `$PORTICO_HOME`, else `~/.portico` of the real user. */
export function porticoHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.PORTICO_HOME || path.join(realUser(env).home, '.portico'));
}

export function statePaths(home: string = porticoHome()): StatePaths {
  return {
    home,
    caCert: path.join(home, 'ca.pem'),
    caKey: path.join(home, 'ca-key.pem'),
    certsDir: path.join(home, 'certs'),
    routes: path.join(home, 'routes.json'),
    daemon: path.join(home, 'daemon.json'),
    socket: process.platform === 'win32' ? `\\\\.\\pipe\\portico-${home.replace(/[^A-Za-z0-9]/g, '-')}` : path.join(home, 'portico.sock'),
    log: path.join(home, 'daemon.log'),
  };
}

/**
 * Create the state directory with mode 0700 (or tighten it), owned by the real user.
 * An unwritable or non-directory PORTICO_HOME is a UserError naming the path.
 */
export function ensureHome(home: string, user: RealUser = realUser()): void {
  try {
    mkdirSync(home, {recursive: true, mode: 0o700});
    if (!statSync(home).isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'});
    if (process.platform !== 'win32') {
      chmodSync(home, 0o700);
      if (user.uid !== undefined && process.getuid?.() === 0) chownSync(home, user.uid, user.gid ?? user.uid);
    }
  } catch (error) {
    const code = errorCode(error);
    throw new UserError(
      `Cannot use PORTICO_HOME \`${home}\`: ${code === 'ENOTDIR' || code === 'EEXIST' ? 'it is not a directory' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'it is not writable' : (error as Error).message}.`,
      {
        hint: 'Set PORTICO_HOME to a directory you own, or fix its permissions.',
        cause: error,
      },
    );
  }
}
