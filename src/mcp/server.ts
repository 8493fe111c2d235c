import {McpServer} from '@modelcontextprotocol/sdk/server/mcp.js';
import {StdioServerTransport} from '@modelcontextprotocol/sdk/server/stdio.js';
import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {UserError} from '../errors.js';
import {VERSION} from '../version.js';
import {CaptureHold} from './capture.js';
import {mcpContext, type McpContext, type McpOptions} from './context.js';
import {errorResult} from './result.js';
import type {Tool} from './tool.js';
import {TOOLS} from './tools/index.js';

const INSTRUCTIONS =
  "portico is the local HTTPS reverse proxy in front of this machine's dev servers (https://<name>.localhost). " +
  'While you are connected it captures every request: find failures with list_traffic (e.g. status 5xx), read one with get_exchange.';

/** A refused write: what the user has to change, in one sentence. */
function refused(tool: Tool): CallToolResult {
  return errorResult(new UserError(`${tool.name} changes portico, and this server is read-only: the user must start it as \`portico mcp --allow-write\`.`));
}

/** The MCP server with every tool registered; write tools answer with a refusal unless allowWrite. */
export function createMcpServer(ctx: McpContext, tools: readonly Tool[] = TOOLS): McpServer {
  const server = new McpServer({name: 'portico', version: VERSION}, {instructions: INSTRUCTIONS});
  for (const tool of tools) {
    const annotations = {readOnlyHint: !tool.write, destructiveHint: tool.write === true, openWorldHint: false};
    // The SDK types the handler's arguments from each tool's own shape; one handler serves them all.
    server.registerTool(tool.name, {description: tool.description, inputSchema: tool.input, annotations}, (async (args: Record<string, unknown>) => {
      if (tool.write && !ctx.allowWrite) return refused(tool);
      try {
        return await tool.run(args, ctx);
      } catch (error) {
        return errorResult(error);
      }
    }) as never);
  }
  return server;
}

/**
 * `portico mcp`: serve MCP over stdin/stdout until the agent closes stdin. The daemon is started (if
 * needed) and capture switched on before the first message is read, so the traffic an agent causes
 * right after connecting is captured.
 */
export async function runMcp(options: McpOptions): Promise<void> {
  // Started by hand in a terminal, it would look hung: say what it is waiting for.
  if (process.stdin.isTTY)
    options.log(
      'portico mcp speaks the Model Context Protocol on stdin/stdout: start it from your coding agent (README "Coding agents (MCP)"). Ctrl-D ends it.',
    );
  const hold = new CaptureHold(options.paths);
  const ctx = mcpContext(options, hold);
  // A daemon that cannot start now is not fatal: each tool call tries again and says why it failed.
  await ctx.daemon().catch((error: Error) => options.log(`portico: ${error.message}`));
  const server = createMcpServer(ctx);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (server.server.onclose = resolve));
  // The SDK's stdio transport does not watch for the end of stdin: the agent closing it ends the session.
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  await closed;
  hold.close();
}
