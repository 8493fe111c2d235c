import {Args} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {replayRequest} from '../src/cli/replay.js';
import {statePaths} from '../src/state/home.js';

export default class Replay extends BaseCommand {
  static override summary = 'Send a recent request again through portico, as it was sent.';
  static override description =
    "The id is the one `portico logs --json` shows (and `#id` in the dashboard's detail). The request goes through the proxy, so it takes the route as it is now and appears in `logs` and `dash` as a new entry. A request with a body can be replayed when it was captured (a dashboard was open).";
  static override examples = ['<%= config.bin %> replay 42'];
  static override enableJsonFlag = true;
  static override args = {id: Args.string({description: 'the request id', required: true})};

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Replay);
    return replayRequest({paths: statePaths(), id: args.id, json: flags.json === true, out: (line) => this.log(line)});
  }
}
