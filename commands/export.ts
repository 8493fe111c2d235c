import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {toExportOptions} from '../src/export/cli.js';
import {exportRoutes} from '../src/export/index.js';
import {statePaths} from '../src/state/home.js';

export default class Export extends BaseCommand {
  static override summary = 'Write the routes as a Caddyfile, an nginx config, or Kubernetes Gateway API / Ingress manifests.';
  static override description =
    `Reads the routes of the current project's portico.json if it has one, else the route table (the running daemon's, or routes.json); --project DIR and --all choose.

Names map from <x>.localhost to <x>.<domain> (localhost to the domain itself). Backends map with --backend ROUTE=URL[,URL] or --backend PORT=URL, or the "deploy" section of portico.json; unmapped targets stay local addresses, with a warning.
What a target cannot express (faults, caching in Caddy, active health checks in nginx, ...) is written as a comment and warned about on stderr; --strict makes it an error.`;
  static override examples = [
    '<%= config.bin %> export caddy --domain example.com --backend app.localhost=http://web:3000 --backend app.localhost/api=http://api-1:8080,http://api-2:8080 -o Caddyfile',
    '<%= config.bin %> export nginx --domain example.com --tls-cert /etc/ssl/example.com.pem --tls-key /etc/ssl/example.com.key -o /etc/nginx/conf.d/portico.conf',
    '<%= config.bin %> export gateway --project ./shop --gateway public --selector-label app.kubernetes.io/name -o routes.yaml',
    '<%= config.bin %> export ingress --all --domain example.com --ingress-class nginx --tls-secret example-com-tls --strict',
  ];
  static override args = {
    target: Args.string({description: 'caddy, nginx, gateway or ingress', required: true}),
  };
  static override flags = {
    domain: Flags.string({char: 'd', description: 'public domain replacing .localhost (default: deploy.domain in portico.json)'}),
    project: Flags.string({char: 'p', description: "export this project's portico.json (no daemon needed)", exclusive: ['all']}),
    all: Flags.boolean({description: 'export the whole route table, even inside a project', exclusive: ['project']}),
    output: Flags.string({char: 'o', description: 'write to FILE (whole, atomically) instead of stdout'}),
    backend: Flags.string({char: 'b', description: 'production backend: ROUTE=URL[,URL] or PORT=URL (repeatable)', multiple: true}),
    strict: Flags.boolean({description: 'fail when a route uses a feature the target cannot express'}),
    listen: Flags.string({
      description: 'caddy/nginx: listen on PORT or ADDRESS:PORT instead of 443/80: plain HTTP (e.g. behind a TLS terminator), or HTTPS with --tls-cert',
    }),
    'tls-cert': Flags.string({description: "caddy/nginx: certificate file (with --tls-key); default: Caddy's automatic HTTPS, commented nginx lines"}),
    'tls-key': Flags.string({description: 'caddy/nginx: private key file (with --tls-cert)'}),
    'selector-label': Flags.string({
      description: 'gateway/ingress: pod label the Service stubs select on, set to the Service name',
      default: 'app.kubernetes.io/name',
    }),
    namespace: Flags.string({char: 'n', description: 'gateway/ingress: metadata.namespace of every object'}),
    gateway: Flags.string({description: 'gateway: name of the Gateway the HTTPRoutes attach to', default: 'gateway'}),
    'ingress-class': Flags.string({description: 'ingress: spec.ingressClassName'}),
    'tls-secret': Flags.string({description: 'ingress: Secret with the TLS certificate for the hosts'}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Export);
    const io = {paths: statePaths(), cwd: process.cwd(), out: (t: string) => this.log(t), warn: (l: string) => this.logToStderr(l)};
    await exportRoutes(toExportOptions(args.target, flags, io));
  }
}
