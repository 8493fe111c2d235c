import {Args} from '@oclif/core';
import {BaseCommand} from '../../src/cli/base.js';
import {removeDomainCommand} from '../../src/cli/domain.js';
import {statePaths} from '../../src/state/home.js';

export default class DomainRm extends BaseCommand {
  static override summary = "Untrust and delete an added domain's CA.";
  static override description =
    'Removes the CA from every store `portico trust` put it in, then deletes it and its certificates. Refused while routes under the domain remain.';
  static override examples = ['<%= config.bin %> domain rm dev.example.com'];
  static override args = {suffix: Args.string({description: 'an added domain (see `domain ls`)', required: true})};

  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    const {args} = await this.parse(DomainRm);
    return removeDomainCommand({paths: statePaths(), suffix: args.suffix, out: (line) => this.log(line)});
  }
}
