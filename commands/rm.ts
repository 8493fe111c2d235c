import {Args} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {removeRouteCommand, type RmResult} from '../src/cli/rm.js';
import {statePaths} from '../src/state/home.js';

export default class Rm extends BaseCommand {
  static override summary = 'Remove a route, or some of its targets.';
  static override examples = ['<%= config.bin %> rm api.localhost', '<%= config.bin %> rm app.localhost/api 9091'];
  // strict=false takes the variadic targets; oclif would then show every argument as variadic.
  static override usage = 'rm HOST[/PATH] [TARGET...]';
  static override strict = false;
  static override args = {
    route: Args.string({description: 'host or host/path', required: true}),
    target: Args.string({description: 'targets to remove (default: the whole route)'}),
  };

  static override enableJsonFlag = true;

  async run(): Promise<RmResult> {
    const {args, argv} = await this.parse(Rm);
    return removeRouteCommand({paths: statePaths(), spec: args.route, targets: (argv as string[]).slice(1), out: (line) => this.log(line)});
  }
}
