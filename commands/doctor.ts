import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {formatChecks, runDoctor} from '../src/cli/doctor.js';
import {statePaths} from '../src/state/home.js';
import {parseStores} from '../src/trust/index.js';

export default class Doctor extends BaseCommand {
  static override summary = 'Diagnose the daemon, port, names, trust, certificates and clock.';
  static override description = 'One line per check, with a fix for each problem. Exits non-zero when a check fails (warnings, marked !, do not fail).';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --stores nss'];
  static override flags = {
    stores: Flags.string({description: 'trust stores to check (default: system,nss,node, plus java when JAVA_HOME is set)'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Doctor);
    const checks = await runDoctor({paths: statePaths(), selection: parseStores(flags.stores, process.env)});
    this.log(formatChecks(checks));
    if (checks.some((c) => !c.ok)) this.exit(1);
  }
}
