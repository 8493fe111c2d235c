import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {formatResults, parseStores, runTrust} from '../src/trust/index.js';
import {statePaths} from '../src/state/home.js';

export default class Untrust extends BaseCommand {
  static override summary = 'Remove exactly what `portico trust` added, from every store.';
  static override examples = ['<%= config.bin %> untrust', 'sudo <%= config.bin %> untrust --stores system'];
  static override flags = {
    stores: Flags.string({description: 'comma-separated: system,nss,java,node (default: all that apply)'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Untrust);
    const {results, failed} = await runTrust({paths: statePaths(), action: 'uninstall', selection: parseStores(flags.stores, process.env)});
    this.log(formatResults(results));
    if (failed) this.exit(1);
  }
}
