import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {showLogs} from '../src/cli/logs.js';
import {statePaths} from '../src/state/home.js';

export default class Logs extends BaseCommand {
  static override summary = 'Show recent traffic through portico, then (with --follow) live.';
  static override description = 'One line per request: time, protocol, status, method, host and path, duration, bytes, target, error. Health changes of targets appear too.';
  static override examples = ['<%= config.bin %> logs', '<%= config.bin %> logs --follow', '<%= config.bin %> logs -f --json | jq .status'];
  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'keep printing new traffic as it happens'}),
    json: Flags.boolean({description: 'one JSON object per line'}),
    lines: Flags.integer({char: 'n', description: 'how many recent events to show first', default: 200, min: 0, max: 1000}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Logs);
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    await showLogs({paths: statePaths(), follow: flags.follow, json: flags.json, history: flags.lines, out: (line) => this.log(line), signal: controller.signal});
  }
}
