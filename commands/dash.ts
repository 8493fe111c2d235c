import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {openDashboard} from '../src/cli/dash.js';
import {statePaths} from '../src/state/home.js';

export default class Dash extends BaseCommand {
  static override summary = 'Live traffic dashboard: every request to every route as it happens.';
  static override description =
    `Shows the proxy's port and uptime, each route with its instances' health, requests/s, p50/p95 latency, errors and a sparkline, and a live request log (method, status, host and path, duration, instance, protocol).

While it is open the daemon captures each request (first 64 KiB of each body; 5000 requests / 32 MiB in all), so the detail shows headers, decoded bodies, timing, attempts and WebSocket messages.

Keys: q quit · p pause · / filter (status:5xx host:api method:POST path:/api, or text) · ↑↓ select · enter detail · r replay · y copy as curl · w write HAR (mode 0600, secrets redacted) · t fold routes · esc back · c clear · ? help.
When stdout is not a terminal, prints one plain line per request instead.`;
  static override examples = ['<%= config.bin %> dash', '<%= config.bin %> dash | grep " 5"'];

  static override flags = {
    'with-secrets': Flags.boolean({
      description: 'the HAR file the w key writes keeps Authorization, Cookie, Set-Cookie and Proxy-Authorization values (redacted by default)',
    }),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Dash);
    await openDashboard({
      paths: statePaths(),
      tty: process.stdout.isTTY === true && process.stdin.isTTY === true,
      out: (line) => this.log(line),
      withSecrets: flags['with-secrets'],
    });
  }
}
