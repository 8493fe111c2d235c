import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {checksJson, formatChecks} from '../src/cli/doctor-check.js';
import {runDoctor} from '../src/cli/doctor.js';
import {statePaths} from '../src/state/home.js';
import {parseStores} from '../src/trust/index.js';

export default class Doctor extends BaseCommand {
  static override summary = 'Diagnose the daemon, port, names, trust, certificates and clock.';
  static override description =
    'One line per check (daemon, port, each route target, names, CA, clock, trust stores), with the fix under each problem. Exits 1 when a check fails (warnings, marked !, do not fail). --json prints {ok, checks: [{name, status, detail, fix}]}.';
  static override enableJsonFlag = true;
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --stores nss', '<%= config.bin %> doctor --json'];
  static override flags = {
    stores: Flags.string({
      description: 'trust stores to check, comma-separated: system,nss,java,node (default: nss and node, plus system and java where the CA was installed)',
    }),
  };

  async run(): Promise<ReturnType<typeof checksJson>> {
    const {flags} = await this.parse(Doctor);
    const checks = await runDoctor({paths: statePaths(), selection: parseStores(flags.stores, process.env)});
    this.log(formatChecks(checks));
    // exitCode, not this.exit(): with --json, oclif prints the returned object first.
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
    return checksJson(checks);
  }
}
