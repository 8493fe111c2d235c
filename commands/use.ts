import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {useCopyCommand} from '../src/cli/use.js';
import type {UseCopyResult} from '../src/daemon/protocol.js';
import {statePaths} from '../src/state/home.js';

export default class Use extends BaseCommand {
  static override summary = 'Choose which copy of an app (a worktree, a clone) its stable address serves.';
  static override description =
    `An app run from several directories has one copy per directory, each at https://<copy>.<app>.localhost; https://<app>.localhost serves the first copy until this command picks another. A browser can still pick its own copy with https://<app>.localhost/.portico/use/<copy>, a client with the X-Portico-Copy header.`;
  static override examples = ['<%= config.bin %> use fix-login', '<%= config.bin %> use main --app shop', '<%= config.bin %> use fix-login.shop.localhost'];
  static override usage = 'use COPY [--app APP]';
  static override args = {
    copy: Args.string({description: 'the copy: its name (fix-login) or own address (fix-login.shop.localhost)', required: true}),
  };
  static override flags = {
    app: Flags.string({description: 'the app (shop or shop.localhost), when several have a copy of that name'}),
  };

  static override enableJsonFlag = true;

  async run(): Promise<UseCopyResult> {
    const {args, flags} = await this.parse(Use);
    return useCopyCommand({paths: statePaths(), copy: args.copy, app: flags.app, out: (line) => this.log(line)});
  }
}
