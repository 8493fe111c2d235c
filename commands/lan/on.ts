import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../src/cli/base.js';
import {lanOn} from '../../src/cli/lan.js';
import {statePaths} from '../../src/state/home.js';

export default class LanOn extends BaseCommand {
  static override summary = 'Share routes with phones on the LAN, under a CA that can sign only their names and this address.';
  static override description =
    'Off by default. Listens on the LAN address (never a wildcard) and serves only the routes named (all when none), as <name>.local over mDNS and by address. Prints a QR code that opens a plain-HTTP page with the CA for iOS (a .mobileconfig profile) and Android, and the HTTPS URLs. `portico lan off` stops it.';
  static override examples = ['<%= config.bin %> lan on app.localhost', '<%= config.bin %> lan on --address 192.168.1.20 --port 8443'];
  static override strict = false;
  static override args = {route: Args.string({description: 'route host to share (repeatable); default every route'})};
  static override flags = {
    address: Flags.string({description: "this machine's IPv4 address on the LAN (default: the first non-loopback one)"}),
    port: Flags.integer({description: 'port on the LAN address (0 picks a free one)', default: 8443, min: 0, max: 65535}),
  };

  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(LanOn);
    return lanOn({paths: statePaths(), routes: argv as string[], address: flags.address, port: flags.port, out: (line) => this.log(line)});
  }
}
