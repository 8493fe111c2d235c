import {BaseCommand} from '../../src/cli/base.js';
import {syncHosts, type HostsResult} from '../../src/cli/hosts.js';
import {statePaths} from '../../src/state/home.js';

export default class HostsSync extends BaseCommand {
  static override summary = 'Write a hosts-file block for every route name (for clients that do not resolve *.localhost).';
  static override description =
    'Chrome, Firefox and curl resolve names under .localhost themselves; Safari, Node, Python, Java and some Linux setups do not. This writes one marked block with 127.0.0.1 and ::1 lines for every route host, only when something changed, keeping every other byte of the file. Needs root.';
  static override examples = ['sudo <%= config.bin %> hosts sync'];

  static override enableJsonFlag = true;

  async run(): Promise<HostsResult> {
    await this.parse(HostsSync);
    return syncHosts({paths: statePaths(), clean: false, out: (line) => this.log(line)});
  }
}
