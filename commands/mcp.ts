import {Flags} from '@oclif/core';
import {BaseCommand} from '../src/cli/base.js';
import {runMcp} from '../src/mcp/server.js';
import {statePaths} from '../src/state/home.js';

export default class Mcp extends BaseCommand {
  static override summary = 'Serve the routes and the traffic to coding agents over MCP (stdio).';
  static override description =
    `A Model Context Protocol server on stdin/stdout, for Claude Code, Cursor, Codex, VS Code and other agents: routes, recent traffic, one request in full (JSON, curl, HAR), doctor's checks, how to open a route. Capture is on while an agent is connected.

Read-only unless --allow-write (add/remove routes, replay, clear caches, set front-door options). Authorization, Cookie, Set-Cookie and Proxy-Authorization values are redacted unless --with-secrets.

Claude Code: claude mcp add portico -- npx portico mcp (other agents: README, "Coding agents (MCP)").`;
  static override examples = ['<%= config.bin %> mcp', '<%= config.bin %> mcp --allow-write'];
  static override flags = {
    'allow-write': Flags.boolean({description: 'let the agent add and remove routes, replay requests, clear caches and set route options'}),
    'with-secrets': Flags.boolean({description: 'return Authorization, Cookie, Set-Cookie and Proxy-Authorization values instead of [redacted]'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Mcp);
    await runMcp({paths: statePaths(), allowWrite: flags['allow-write'], withSecrets: flags['with-secrets'], log: (line) => this.logToStderr(line)});
  }
}
