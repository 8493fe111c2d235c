import {BaseCommand} from '../../src/cli/base.js';
import {lanOff} from '../../src/cli/lan.js';
import {statePaths} from '../../src/state/home.js';

export default class LanOff extends BaseCommand {
  static override summary = 'Stop sharing on the LAN: portico listens on loopback only again.';
  static override examples = ['<%= config.bin %> lan off'];

  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    await this.parse(LanOff);
    return lanOff({paths: statePaths(), out: (line) => this.log(line)});
  }
}
