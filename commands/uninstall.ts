import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {porticoCommand} from '../src/trust/hint.js';
import {uninstall, type UninstallResult} from '../src/cli/uninstall.js';
import {statePaths} from '../src/state/home.js';

export default class Uninstall extends BaseCommand {
  static override summary = 'Remove portico from this machine: stop it, untrust its CA everywhere, remove its hosts block, delete its state.';
  static override description =
    `Stops the daemon, removes the CA from every trust store it was added to (system, browsers' NSS databases, Java), removes portico's block from the hosts file and deletes PORTICO_HOME. What needs root is printed as one sudo line (the CA is kept until then). --keep-ca keeps the CA and the stores that trust it, for a later reinstall. Then remove the package itself: npm uninstall portico.`;
  static override examples = ['<%= config.bin %> uninstall', '<%= config.bin %> uninstall --keep-ca', 'sudo <%= config.bin %> uninstall'];
  static override flags = {
    'keep-ca': Flags.boolean({description: 'keep the CA (ca.pem, ca-key.pem) and its trust, delete everything else'}),
  };

  static override enableJsonFlag = true;

  async run(): Promise<UninstallResult> {
    const {flags} = await this.parse(Uninstall);
    return uninstall({paths: statePaths(), keepCa: flags['keep-ca'], bin: porticoCommand(), out: (line) => this.log(line)});
  }
}
