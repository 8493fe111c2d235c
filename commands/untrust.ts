import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {formatResults, parseStores, runTrust} from '../src/trust/index.js';
import {statePaths} from '../src/state/home.js';
import type {StoreResult} from '../src/trust/types.js';

export default class Untrust extends BaseCommand {
  static override summary = 'Remove exactly what `portico trust` added, from every store.';
  static override examples = ['<%= config.bin %> untrust', 'sudo <%= config.bin %> untrust --stores system'];
  static override flags = {
    stores: Flags.string({description: 'comma-separated: system,nss,java,node (default: all that apply)'}),
  };

  static override enableJsonFlag = true;

  async run(): Promise<{ok: boolean; stores: StoreResult[]}> {
    const {flags} = await this.parse(Untrust);
    const {results, failed} = await runTrust({paths: statePaths(), action: 'uninstall', selection: parseStores(flags.stores, process.env)});
    this.log(formatResults(results));
    // A failed store still prints its JSON: set the status rather than throw an exit.
    if (failed) process.exitCode = 1;
    return {ok: !failed, stores: results};
  }
}
