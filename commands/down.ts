import {BaseCommand} from '../src/cli/base.js';
import {stopDaemon} from '../src/daemon/lifecycle.js';
import {statePaths} from '../src/state/home.js';

export default class Down extends BaseCommand {
  static override summary = 'Stop the portico proxy gracefully; routes persist.';
  static override description = 'In-flight requests finish (up to 5 s), then the daemon exits. `portico up` brings it back with the same routes.';
  static override examples = ['<%= config.bin %> down'];

  static override enableJsonFlag = true;

  async run(): Promise<{stopped: boolean}> {
    await this.parse(Down);
    const stopped = await stopDaemon(statePaths());
    this.log(stopped ? 'portico stopped. Routes are kept; `portico up` starts it again.' : 'portico was not running.');
    return {stopped};
  }
}
