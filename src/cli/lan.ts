import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import QRCode from 'qrcode';
import {UserError} from '../errors.js';
import {ensureDaemon} from '../daemon/lifecycle.js';
import {pidAlive} from '../state/pid.js';
import {ensureLanCA} from '../lan/ca.js';
import {lanAddress, lanName, type LanShare} from '../lan/plan.js';
import {clearLanState, readLanState} from '../lan/state.js';
import {hostSyntax} from '../routes/name.js';
import type {StatePaths} from '../state/home.js';

export interface LanOnOptions {
  paths: StatePaths;
  /** Route hosts to share; none: every route's. */
  routes: string[];
  /** `--address`: the LAN IPv4 address; default the first non-loopback one. */
  address?: string;
  /** `--port`: the LAN port (0 picks one). */
  port: number;
  out: (line: string) => void;
}

export interface LanOnResult {
  address: string;
  port: number;
  page: string;
  ca: string;
  shares: Array<LanShare & {url: string}>;
}

const ENTRY = fileURLToPath(new URL('../lan/entry.js', import.meta.url));

/** `portico lan on [route...]`: share routes with phones on the LAN, print the QR code of the CA page. */
export async function lanOn(options: LanOnOptions): Promise<LanOnResult> {
  const address = lanAddress(options.address);
  const {status} = await ensureDaemon(options.paths, {onNotice: options.out});
  const hosts = [...new Set(status.routes.map((r) => r.host))];
  const wanted = options.routes.length === 0 ? hosts : [...new Set(options.routes.map((r) => hostSyntax(r.replace(/\/.*$/, ''))))];
  for (const host of wanted) {
    if (!hosts.includes(host)) throw new UserError(`No route \`${host}\` to share on the LAN.`, {exit: 2, hint: 'See the routes with `portico ls`.'});
  }
  if (wanted.length === 0) throw new UserError('No routes to share on the LAN.', {hint: 'Add one first: `portico add app.localhost 5173`.'});
  const shares = wanted.map((host) => ({host, name: lanName(host)}));
  await lanOff({paths: options.paths, out: () => {}});
  const {ca} = ensureLanCA(
    options.paths,
    shares.map((s) => s.name),
    address,
  );
  const port = await spawnListener(options.paths, {shares, address, port: options.port, porticoPort: status.port});
  const page = `http://${address}:${port}/`;
  const result = {address, port, page, ca: ca.certPath, shares: shares.map((s) => ({...s, url: `https://${s.name}:${port}/`}))};
  options.out(`portico now listens beyond loopback: on ${address}:${port} for phones on this network.`);
  for (const s of result.shares) options.out(`  ${s.url}  ->  ${s.host}`);
  options.out(`  https://${address}:${port}/  ->  ${shares[0]!.host}`);
  options.out(`Scan with the phone's camera to trust the LAN CA (it can sign only these names and ${address}):`);
  options.out(await QRCode.toString(page, {type: 'terminal', small: true}));
  options.out(`  ${page}   (stop sharing: portico lan off)`);
  return result;
}

/** `portico lan off`: close the LAN listener; loopback is portico's only listener again. */
export async function lanOff(options: {paths: StatePaths; out: (line: string) => void}): Promise<{stopped: boolean}> {
  const state = readLanState(options.paths.home);
  if (!state) {
    options.out('LAN sharing is off.');
    return {stopped: false};
  }
  if (pidAlive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    await exited(state.pid);
  }
  clearLanState(options.paths.home);
  options.out(`Stopped sharing on the LAN (${state.address}:${state.port}); portico listens on loopback only.`);
  return {stopped: true};
}

function spawnListener(paths: StatePaths, plan: {shares: LanShare[]; address: string; port: number; porticoPort: number}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: {...process.env, PORTICO_HOME: paths.home, PORTICO_LAN_PLAN: JSON.stringify(plan)},
    });
    child.once('message', (message: {type: string; port?: number; message?: string}) => {
      child.disconnect();
      child.unref();
      if (message.type === 'ready') resolve(message.port!);
      else
        reject(
          new UserError(`Cannot listen on the LAN at ${plan.address}:${plan.port}: ${message.message}`, {
            hint: "Pick another --port, or check --address is this machine's.",
          }),
        );
    });
    child.once('exit', (code) => reject(new UserError(`The LAN listener exited (${code}) before it listened.`)));
  });
}

/** SIGTERM was sent: the listener closes its sockets and exits; SIGKILL if it has not after 5 s. */
async function exited(pid: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
