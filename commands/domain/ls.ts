import {BaseCommand} from '../../src/cli/base.js';
import {listDomainsCommand} from '../../src/cli/domain.js';
import {statePaths} from '../../src/state/home.js';

export default class DomainLs extends BaseCommand {
  static override summary = 'List the added domains, their CAs and what each may sign.';
  static override examples = ['<%= config.bin %> domain ls', '<%= config.bin %> domain ls --json'];

  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    await this.parse(DomainLs);
    return listDomainsCommand({paths: statePaths(), out: (line) => this.log(line)});
  }
}
