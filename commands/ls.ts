import {BaseCommand} from '../src/cli/base.js';
import {formatListing, listRoutes, type ListJson} from '../src/cli/routes.js';
import {statePaths} from '../src/state/home.js';

export default class Ls extends BaseCommand {
  static override summary = 'List routes with their targets, health and traffic.';
  static override examples = ['<%= config.bin %> ls', '<%= config.bin %> ls --json'];
  static override enableJsonFlag = true;

  async run(): Promise<ListJson> {
    await this.parse(Ls);
    const listing = await listRoutes(statePaths());
    this.log(formatListing(listing));
    return listing.json;
  }
}
