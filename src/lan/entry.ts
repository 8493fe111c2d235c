/**
 * The LAN listener process (`portico lan on` spawns `node dist/src/lan/entry.js`): apart from the
 * daemon, so loopback stays the daemon's only listener and `lan off` ends every LAN socket at once.
 * Tells its parent over IPC when it listens, or why it could not.
 */
import {readFileSync} from 'node:fs';
import {loadCAFiles} from '../certs/ca.js';
import {porticoHome, statePaths} from '../state/home.js';
import {lanFiles} from './ca.js';
import {answerMdns} from './mdns.js';
import {currentPorticoPort} from './portico-port.js';
import type {LanShare} from './plan.js';
import {startLanServer} from './server.js';
import {clearLanState, writeLanState} from './state.js';

interface Plan {
  shares: LanShare[];
  address: string;
  port: number;
  porticoPort: number;
}

const say = (message: object) =>
  new Promise<void>((resolve) => (process.send && process.connected ? process.send(message, undefined, {}, () => resolve()) : resolve()));

const paths = statePaths(porticoHome());
const plan = JSON.parse(process.env.PORTICO_LAN_PLAN ?? '{}') as Plan;
try {
  const server = await startLanServer({
    ...plan,
    porticoPort: () => currentPorticoPort(paths, plan.porticoPort),
    ca: loadCAFiles(lanFiles(paths.home)),
    rootCaPem: readFileSync(paths.caCert, 'utf8'),
  });
  const mdns = answerMdns(
    plan.shares.map((s) => s.name),
    plan.address,
  );
  writeLanState(paths.home, {pid: process.pid, address: plan.address, port: server.port, shares: plan.shares});
  const stop = () => {
    mdns.close();
    clearLanState(paths.home);
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await say({type: 'ready', port: server.port});
  process.disconnect?.();
} catch (error) {
  await say({type: 'error', message: (error as Error).message});
  process.exit(1);
}
