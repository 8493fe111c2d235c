/**
 * The hottest invocations (`ls`, `ls --json`, a bare `up`) skip oclif's start-up (~110 ms of module
 * loading) and call the same functions the oclif commands call. Any other argument list, `--help`
 * included, goes through oclif as usual.
 */
import {isUserError} from '../errors.js';
import {statePaths} from '../state/home.js';
import {speakAs} from '../trust/hint.js';

export async function runFast(argv: readonly string[]): Promise<boolean> {
  const key = argv.join(' ');
  if (key !== 'ls' && key !== 'ls --json' && key !== 'up') return false;
  // These environment variables are `up` flags too (oclif reads them): let oclif parse and check them.
  if (process.env.PORTICO_PORT !== undefined || process.env.PORTICO_TIMEOUT !== undefined) return false;
  try {
    if (argv[0] === 'ls') {
      const {formatListing, listRoutes} = await import('./routes.js');
      const listing = await listRoutes(statePaths());
      console.log(argv[1] === '--json' ? JSON.stringify(listing.json, null, 2) : formatListing(listing));
    } else {
      const {up} = await import('./up.js');
      await up({paths: statePaths(), cwd: process.cwd(), out: (line) => console.log(speakAs(line))});
    }
  } catch (error) {
    if (!isUserError(error)) throw error;
    console.error(speakAs(`portico: ${error.hint ? `${error.message}\n${error.hint}` : error.message}`));
    process.exitCode = error.exit;
  }
  return true;
}
