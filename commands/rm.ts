import {Args} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {removeRouteCommand, type RmResult} from '../src/cli/rm.js';
import {statePaths} from '../src/state/home.js';

export default class Rm extends BaseCommand {
  static override summary = 'Remove a route, or some of its targets.';
  static override examples = ['<%= config.bin %> rm api.localhost', '<%= config.bin %> rm app.localhost/api 9091'];
  static override usage = 'rm ROUTE [TARGET...]';
  static override args = {
    route: Args.string({description: 'host or host/path', required: true}),
    target: Args.string({description: 'targets to remove (default: the whole route)', multiple: true}),
  };

  static override enableJsonFlag = true;

  async run(): Promise<RmResult> {
    const {args} = await this.parse(Rm);
    return removeRouteCommand({paths: statePaths(), spec: args.route, targets: args.target ?? [], out: (line) => this.log(line)});
  }
}
