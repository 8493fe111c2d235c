import {Args, Flags} from '@oclif/core';
import {addRouteCommand, type AddResult} from '../src/cli/add.js';
import {BaseCommand} from '../src/cli/base.js';
import {expandOptionalValues} from '../src/cli/optional-values.js';
import {featureFlags, featureUsage} from '../src/cli/feature-flags.js';
import {parseOptionFlags} from '../src/routes/options-data.js';
import {statePaths} from '../src/state/home.js';
import {STRATEGIES} from '../src/routes/types.js';

export default class Add extends BaseCommand {
  static override summary = 'Route https://<host>[/path] to one or more local targets.';
  static override description = `Starts the proxy if it is not running. Adding to an existing route appends instances (balanced by --strategy) unless --replace.

Targets: a port on loopback (9090: dialled on 127.0.0.1 and ::1), host:port, http://host:port or https://host:port; TARGET=WEIGHT gives it a share of new requests (9090=3 9091: three for one; =0 drains it).
Names: localhost, names under .localhost, and names under a domain added with \`portico domain add\`.`;
  static override examples = [
    '<%= config.bin %> add api.localhost 9090',
    '<%= config.bin %> add app.localhost/api 9090 9091 --strategy least-conn --health /healthz',
    '<%= config.bin %> add app.localhost/api 9090=3 9091',
    '<%= config.bin %> add app.localhost/admin 4000 --auth basic:admin',
    '<%= config.bin %> add preview.localhost 5173 --auth token',
    '<%= config.bin %> add app.localhost/docs 4000 --strip-prefix',
    '<%= config.bin %> add app.localhost 5174 --replace',
    '<%= config.bin %> add app.localhost 5173 --timeout 2m',
    '<%= config.bin %> add api.localhost 9090 --cache --compress --cors=https://app.localhost',
    "<%= config.bin %> add api.localhost 9090 --response-header 'X-Frame-Options: DENY' --response-header -Server",
    '<%= config.bin %> add api.localhost 9090 --rate-limit 20/s,burst=40 --delay 300ms-1s --fail 10%:503 --drop 5%',
  ];
  static override usage =
    `add ROUTE TARGET... [--strategy round-robin|least-conn|random|first|sticky] [--health PATH] [--strip-prefix] [--replace] [--join] ${featureUsage()}`;
  static override args = {
    route: Args.string({description: 'host or host/path, e.g. app.localhost/api', required: true}),
    target: Args.string({
      description: 'one or more targets: 9090, host:port, http(s)://host:port; TARGET=WEIGHT (9090=3) weighs one',
      required: true,
      multiple: true,
    }),
  };
  static override flags = {
    strategy: Flags.string({char: 's', description: 'how requests spread over targets', options: [...STRATEGIES]}),
    health: Flags.string({description: 'active health check path (default: TCP connect)'}),
    'strip-prefix': Flags.boolean({description: 'remove the route path before forwarding'}),
    replace: Flags.boolean({description: "replace the route's targets (and options) instead of adding to them"}),
    join: Flags.boolean({description: 'add to a route another directory (a project, a `portico run`) serves, on purpose'}),
    ...featureFlags(),
  };

  static override enableJsonFlag = true;

  async run(): Promise<AddResult> {
    const {args, flags} = await this.parse(Add, expandOptionalValues(this.argv));
    return addRouteCommand({
      paths: statePaths(),
      spec: args.route,
      targets: args.target,
      strategy: flags.strategy,
      health: flags.health,
      stripPrefix: flags['strip-prefix'],
      replace: flags.replace,
      join: flags.join,
      cwd: process.cwd(),
      options: parseOptionFlags(flags),
      out: (line) => this.log(line),
      warn: (line) => this.logToStderr(line),
    });
  }
}
