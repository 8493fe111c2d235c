import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {formatListing, listRoutes} from '../src/cli/routes.js';
import {statePaths} from '../src/state/home.js';

export default class Ls extends BaseCommand {
  static override summary = 'List routes with their targets, health and traffic.';
  static override examples = ['<%= config.bin %> ls', '<%= config.bin %> ls --json'];
  static override flags = {
    json: Flags.boolean({description: 'print one JSON document (daemon, ca, routes)'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Ls);
    const listing = await listRoutes(statePaths());
    this.log(flags.json ? JSON.stringify(listing.json, null, 2) : formatListing(listing));
  }
}
