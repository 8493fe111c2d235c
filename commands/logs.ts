import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {showLogs} from '../src/cli/logs.js';
import {statePaths} from '../src/state/home.js';

export default class Logs extends BaseCommand {
  static override summary = 'Show recent traffic through portico, then (with --follow) live.';
  static override description =
    `One line per request: time, protocol, status, method, host and path, duration, bytes, target, error. Health changes of targets appear too (unless a filter is given).

--har FILE writes the requests as HAR 1.2 (browsers' devtools import it), with the bodies and timing captured while a dashboard was open; with --follow it captures itself and writes each request as it comes, until Ctrl-C. The file is readable by you only (0600), and Authorization, Cookie, Set-Cookie and Proxy-Authorization values are redacted unless --with-secrets.`;
  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs --follow --status 5xx',
    '<%= config.bin %> logs --host api --method POST',
    '<%= config.bin %> logs --har traffic.har',
    `<%= config.bin %> logs -f --json | jq 'select(.type == "request") | .status'`,
  ];
  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'keep printing new traffic as it happens'}),
    json: Flags.boolean({description: 'one JSON object per line'}),
    lines: Flags.integer({char: 'n', description: 'how many recent events to show first', default: 200, min: 0, max: 1000}),
    host: Flags.string({description: 'only requests whose host contains this (e.g. api)'}),
    status: Flags.string({description: 'only requests with this status: 404, 5xx, or a list like 404,5xx'}),
    method: Flags.string({description: 'only requests with this method (e.g. POST)'}),
    har: Flags.string({description: 'write the requests to this file as HAR 1.2 (mode 0600; secrets redacted) instead of printing them'}),
    'with-secrets': Flags.boolean({description: 'keep Authorization, Cookie, Set-Cookie and Proxy-Authorization values in the HAR file'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Logs);
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    await showLogs({
      paths: statePaths(),
      follow: flags.follow,
      json: flags.json,
      history: flags.lines,
      host: flags.host,
      status: flags.status,
      method: flags.method,
      har: flags.har,
      withSecrets: flags['with-secrets'],
      out: (line) => this.log(line),
      signal: controller.signal,
    });
  }
}
