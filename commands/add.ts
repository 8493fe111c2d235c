import {Args, Flags} from '@oclif/core';
import {addRouteCommand, type AddResult} from '../src/cli/add.js';
import {BaseCommand} from '../src/cli/base.js';
import {expandOptionalValues} from '../src/cli/optional-values.js';
import {parseOptionFlags} from '../src/routes/options.js';
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
    '<%= config.bin %> add api.localhost 9090 --cache --compress --cors=https://app.localhost',
    "<%= config.bin %> add api.localhost 9090 --response-header 'X-Frame-Options: DENY' --response-header -Server",
    '<%= config.bin %> add api.localhost 9090 --rate-limit 20/s,burst=40 --delay 300ms-1s --fail 10%:503 --drop 5%',
  ];
  static override usage = 'add HOST[/PATH] TARGET... [--strategy round-robin|least-conn|random|first|sticky] [--health PATH] [--strip-prefix] [--replace] [--timeout DURATION] [--cache[=SIZE]] [--compress] [--request-header H]... [--response-header H]... [--cors[=ORIGINS]] [--rate-limit N/s] [--delay D] [--fail P[:STATUS]] [--drop P]';
  static override args = {
    route: Args.string({description: 'host or host/path, e.g. app.localhost/api', required: true}),
    target: Args.string({description: 'one or more targets: 9090, host:port, http(s)://host:port', required: true, multiple: true}),
  };
  static override flags = {
    strategy: Flags.string({char: 's', description: 'how requests spread over targets', options: [...STRATEGIES]}),
    health: Flags.string({description: 'active health check path (default: TCP connect)'}),
    'strip-prefix': Flags.boolean({description: 'remove the route path before forwarding'}),
    replace: Flags.boolean({description: 'replace the route\'s targets (and options) instead of adding to them'}),
    timeout: Flags.string({description: 'wait this long for response headers after the request body was sent: 90s, 500ms, 2m (plain number: seconds). Default: the daemon\'s, 30s'}),
    cache: Flags.string({description: 'cache responses (RFC 9111, in memory), up to SIZE (default 64MB)', helpValue: 'SIZE'}),
    compress: Flags.boolean({description: 'compress responses with gzip, br (and zstd where Node has it)'}),
    'request-header': Flags.string({description: "set ('Name: value') or remove ('-Name') a request header; repeatable", multiple: true}),
    'response-header': Flags.string({description: "set ('Name: value') or remove ('-Name') a response header; repeatable", multiple: true}),
    cors: Flags.string({description: 'answer CORS preflights and add CORS headers, for any origin or these (comma-separated)', helpValue: 'ORIGINS'}),
    'rate-limit': Flags.string({description: 'limit each client to N requests a second (429 over it): 20/s, 20/s,burst=40', helpValue: 'N/s'}),
    'rate-limit-burst': Flags.string({description: 'requests a client may send at once before --rate-limit applies (default: one second\'s worth)', helpValue: 'N'}),
    delay: Flags.string({description: 'inject latency before the backend: 300ms or 300ms-1s', helpValue: 'DURATION'}),
    fail: Flags.string({description: 'answer this share of requests with an error: 10% or 10%:503', helpValue: 'P[:STATUS]'}),
    drop: Flags.string({description: 'reset the connection for this share of requests: 5%', helpValue: 'P'}),
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
      timeout: flags.timeout,
      options: parseOptionFlags({
        cache: flags.cache,
        compress: flags.compress,
        requestHeader: flags['request-header'],
        responseHeader: flags['response-header'],
        cors: flags.cors,
        rateLimit: flags['rate-limit'],
        rateLimitBurst: flags['rate-limit-burst'],
        delay: flags.delay,
        fail: flags.fail,
        drop: flags.drop,
      }),
      out: (line) => this.log(line),
      warn: (line) => this.logToStderr(line),
    });
  }
}
