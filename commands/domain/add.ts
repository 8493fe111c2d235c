import {Args} from '@oclif/core';
import {BaseCommand} from '../../src/cli/base.js';
import {addDomainCommand} from '../../src/cli/domain.js';
import {statePaths} from '../../src/state/home.js';

export default class DomainAdd extends BaseCommand {
  static override summary = 'Serve names under your own dev domain, with certificates from a CA that can sign only that domain.';
  static override description =
    'Makes a CA whose critical name constraints permit exactly <suffix> and the names under it (no other name, no IP address), so names such as app.dev.example.com work in `add`, `run` and portico.json. Public suffixes (com, co.uk, github.io) and single labels other than test, example and internal are refused. `portico trust` then trusts it with the others.';
  static override examples = [
    '<%= config.bin %> domain add dev.example.com',
    '<%= config.bin %> domain add test',
    '<%= config.bin %> domain add dev.example.test --json',
  ];
  static override args = {suffix: Args.string({description: 'DNS suffix you control, e.g. dev.example.com or test', required: true})};

  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    const {args} = await this.parse(DomainAdd);
    return addDomainCommand({paths: statePaths(), suffix: args.suffix, out: (line) => this.log(line)});
  }
}
