import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../src/cli/base.js';
import {clearCacheCommand} from '../../src/cli/cache.js';
import {statePaths} from '../../src/state/home.js';

export default class CacheClear extends BaseCommand {
  static override summary = 'Empty the response cache of one route (or of every route).';
  static override description = "Routes cache only with `portico add ... --cache`. The cache lives in the daemon's memory: `portico down` empties it too.";
  static override examples = [
    '<%= config.bin %> cache clear',
    '<%= config.bin %> cache clear api.localhost',
    '<%= config.bin %> cache clear app.localhost/api --json',
  ];
  static override args = {
    route: Args.string({description: 'host or host/path of the route; all routes when absent'}),
  };
  static override flags = {
    json: Flags.boolean({description: 'print {"cleared": [{"route", "responses", "bytes"}]}'}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(CacheClear);
    await clearCacheCommand({paths: statePaths(), spec: args.route, json: flags.json, out: (line) => this.log(line)});
  }
}
