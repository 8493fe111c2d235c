import {Args, Flags} from '@oclif/core';
import {addRouteCommand} from '../src/cli/add.js';
import {BaseCommand} from '../src/cli/base.js';
import {statePaths} from '../src/state/home.js';
import {STRATEGIES} from '../src/routes/types.js';

export default class Add extends BaseCommand {
  static override summary = 'Route https://<host>[/path] to one or more local targets.';
  static override description = `Starts the proxy if it is not running. Adding to an existing route appends instances (balanced by --strategy) unless --replace.

Targets: a port on loopback (9090: dialled on 127.0.0.1 and ::1), host:port, http://host:port or https://host:port.
Names: localhost and names under .localhost.`;
  static override examples = [
    '<%= config.bin %> add api.localhost 9090',
    '<%= config.bin %> add app.localhost/api 9090 9091 --strategy least-conn --health /healthz',
    '<%= config.bin %> add app.localhost/docs 4000 --strip-prefix',
    '<%= config.bin %> add app.localhost 5174 --replace',
    '<%= config.bin %> add app.localhost 5173 --timeout 2m',
  ];
  // strict=false takes the variadic targets; oclif would then show every argument as variadic.
  static override usage = 'add HOST[/PATH] TARGET... [--strategy round-robin|least-conn|random|first|sticky] [--health PATH] [--strip-prefix] [--replace] [--timeout DURATION]';
  static override strict = false;
  static override args = {
    route: Args.string({description: 'host or host/path, e.g. app.localhost/api', required: true}),
    target: Args.string({description: 'one or more targets: 9090, host:port, http(s)://host:port', required: true}),
  };
  static override flags = {
    strategy: Flags.string({char: 's', description: 'how requests spread over targets', options: [...STRATEGIES]}),
    health: Flags.string({description: 'active health check path (default: TCP connect)'}),
    'strip-prefix': Flags.boolean({description: 'remove the route path before forwarding'}),
    replace: Flags.boolean({description: 'replace the route\'s targets instead of appending'}),
    timeout: Flags.string({description: 'wait this long for response headers after the request body was sent: 90s, 500ms, 2m (plain number: seconds). Default: the daemon\'s, 30s'}),
  };

  async run(): Promise<void> {
    const {args, argv, flags} = await this.parse(Add);
    await addRouteCommand({
      paths: statePaths(),
      spec: args.route,
      targets: (argv as string[]).slice(1),
      strategy: flags.strategy,
      health: flags.health,
      stripPrefix: flags['strip-prefix'],
      replace: flags.replace,
      timeout: flags.timeout,
      out: (line) => this.log(line),
      warn: (line) => this.logToStderr(line),
    });
  }
}
