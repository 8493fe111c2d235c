import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {failed, formatResults, parseStores, runTrust} from '../src/trust/index.js';
import {statePaths} from '../src/state/home.js';
import type {StoreResult} from '../src/trust/types.js';

export default class Trust extends BaseCommand {
  static override summary = 'Make browsers, curl and Node trust the portico CA.';
  static override description = `Installs the CA (ca.pem in PORTICO_HOME) into each selected store independently and reports one line per store:
  system  the OS store (Debian/Ubuntu/Alpine, Fedora/RHEL, Arch, openSUSE; macOS keychain; Windows; WSL). Linux needs root: sudo portico trust --stores system
  nss     Chromium/Chrome and every Firefox profile (needs certutil)
  java    the JDK's cacerts (default when JAVA_HOME is set)
  node    prints the NODE_EXTRA_CA_CERTS line to use

Running it again changes nothing. --check verifies real trust (a leaf is chain-verified per store) and exits non-zero when a store does not trust the CA.`;
  static override examples = ['<%= config.bin %> trust', 'sudo <%= config.bin %> trust --stores system', '<%= config.bin %> trust --stores nss', '<%= config.bin %> trust --check'];
  static override flags = {
    check: Flags.boolean({description: 'verify trust per store instead of installing; non-zero exit if any store does not trust the CA'}),
    stores: Flags.string({description: 'comma-separated: system,nss,java,node (default: system,nss,node, plus java when JAVA_HOME is set)'}),
  };

  static override enableJsonFlag = true;

  async run(): Promise<{ok: boolean; stores: StoreResult[]}> {
    const {flags} = await this.parse(Trust);
    const results = await runTrust({paths: statePaths(), action: flags.check ? 'check' : 'install', stores: parseStores(flags.stores, process.env)});
    this.log(formatResults(results));
    // A failed store still prints its JSON: set the status rather than throw an exit.
    if (failed(results)) process.exitCode = 1;
    return {ok: !failed(results), stores: results};
  }
}
