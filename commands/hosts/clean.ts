import {BaseCommand} from '../../src/cli/base.js';
import {syncHosts, type HostsResult} from '../../src/cli/hosts.js';
import {statePaths} from '../../src/state/home.js';

export default class HostsClean extends BaseCommand {
  static override summary = "Remove portico's block from the hosts file.";
  static override examples = ['sudo <%= config.bin %> hosts clean'];

  static override enableJsonFlag = true;

  async run(): Promise<HostsResult> {
    await this.parse(HostsClean);
    return syncHosts({paths: statePaths(), clean: true, out: (line) => this.log(line)});
  }
}
