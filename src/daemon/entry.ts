/**
 * The detached daemon process (`portico up` spawns `node dist/src/daemon/entry.js`). Not an oclif
 * command: it starts faster without oclif. Tells its parent over IPC whether it is ready, already
 * running elsewhere, or failed, so `up` confirms readiness and prints the real error.
 */
import {ExitCode, isUserError} from '../errors.js';
import {porticoHome, statePaths} from '../state/home.js';
import {runDaemon} from './daemon.js';

type Message = {type: 'ready'; port: number; notices: string[]} | {type: 'already'} | {type: 'error'; message: string; hint?: string; exit: number};

/** Resolves once the message is handed to the IPC channel: exiting before that would lose it. */
const say = (message: Message) =>
  new Promise<void>((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
const stamp = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

const portArg = process.argv.indexOf('--port');
const port = portArg === -1 ? undefined : Number(process.argv[portArg + 1]);
// Checked by the CLI (`up --workers`, PORTICO_WORKERS) before it started this process.
const workers = Number(process.env.PORTICO_WORKERS) || 1;

process.on('uncaughtException', (error) => {
  // The proxy maps client and backend errors itself; anything reaching here is a bug worth a log line,
  // not a reason to take every developer's routes down.
  stamp(`uncaught: ${error.stack ?? error.message}`);
});

try {
  const daemon = await runDaemon({paths: statePaths(porticoHome()), port, workers, log: stamp});
  const status = await daemon.status();
  await say({type: 'ready', port: status.port, notices: status.notices});
  if (process.connected) process.disconnect();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void daemon.stop());
  await daemon.stopped;
  process.exit(0);
} catch (error) {
  if (isUserError(error) && error.exit === ExitCode.busy) {
    await say({type: 'already'});
    process.exit(ExitCode.busy);
  }
  const message = isUserError(error) ? error.message : ((error as Error).stack ?? String(error));
  stamp(`failed to start: ${message}`);
  await say({
    type: 'error',
    message: isUserError(error) ? error.message : `The portico daemon failed to start: ${(error as Error).message}`,
    hint: isUserError(error) ? error.hint : undefined,
    exit: isUserError(error) ? error.exit : ExitCode.failure,
  });
  process.exit(ExitCode.failure);
}
