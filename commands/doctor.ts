import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {formatChecks, runDoctor, type Check} from '../src/cli/doctor.js';
import {statePaths} from '../src/state/home.js';
import {parseStores} from '../src/trust/index.js';

export default class Doctor extends BaseCommand {
  static override summary = 'Diagnose the daemon, port, names, trust, certificates and clock.';
  static override description = 'One line per check, with a fix for each problem. Exits non-zero when a check fails (warnings, marked !, do not fail).';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --stores nss'];
  static override flags = {
    stores: Flags.string({description: 'trust stores to check (default: system,nss,node, plus java when JAVA_HOME is set)'}),
  };

  static override enableJsonFlag = true;

  async run(): Promise<{ok: boolean; checks: Check[]}> {
    const {flags} = await this.parse(Doctor);
    const checks = await runDoctor({paths: statePaths(), stores: parseStores(flags.stores, process.env)});
    this.log(formatChecks(checks));
    const ok = !checks.some((c) => !c.ok);
    // Failing checks still print their JSON: set the status rather than throw an exit.
    if (!ok) process.exitCode = 1;
    return {ok, checks};
  }
}
