import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {formatResults, parseStores, runTrust} from '../src/trust/index.js';
import {statePaths} from '../src/state/home.js';
import type {StoreResult} from '../src/trust/types.js';

export default class Trust extends BaseCommand {
  static override summary = 'Make browsers, curl and Node trust the portico CA.';
  static override description = `Installs the CA (ca.pem in PORTICO_HOME) into each store this user can change and reports one line per store:
  nss     Chromium/Chrome and every Firefox profile (from profiles.ini, in every Firefox root; needs certutil)
  system  the OS store (Debian/Ubuntu/Alpine, Fedora/RHEL, Arch, openSUSE; macOS keychain; Windows; WSL). Linux needs root: sudo portico trust --stores system
  java    the JDK's cacerts (default when JAVA_HOME is set)
  node    Node reads no store: the NODE_EXTRA_CA_CERTS line to add (advice, marked →)

Without --stores it does what this user can and exits 0, printing the sudo command for the system store; with --stores it exits 1 when a named store failed. Running it again changes nothing.
--check verifies real trust (a leaf is chain-verified per store) in the stores trust installs for this user, plus the system store once installed (or with --stores system); it exits 1 when one does not trust the CA. Node counts only with --stores node.`;
  static override examples = [
    '<%= config.bin %> trust',
    'sudo <%= config.bin %> trust --stores system',
    '<%= config.bin %> trust --stores nss',
    '<%= config.bin %> trust --check',
  ];
  static override flags = {
    check: Flags.boolean({description: 'verify trust per store instead of installing; exit 1 if a checked store does not trust the CA'}),
    stores: Flags.string({description: 'comma-separated: system,nss,java,node (default: system,nss,node, plus java when JAVA_HOME is set)'}),
  };

  static override enableJsonFlag = true;

  async run(): Promise<{ok: boolean; stores: StoreResult[]}> {
    const {flags} = await this.parse(Trust);
    const {results, failed} = await runTrust({
      paths: statePaths(),
      action: flags.check ? 'check' : 'install',
      selection: parseStores(flags.stores, process.env),
    });
    this.log(formatResults(results));
    // A failed store still prints its JSON: set the status rather than throw an exit.
    if (failed) process.exitCode = 1;
    return {ok: !failed, stores: results};
  }
}
