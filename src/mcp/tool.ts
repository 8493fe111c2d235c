import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import type {z} from 'zod';
import type {McpContext} from './context.js';

/** One MCP tool: its name, a short description (an agent's context is small), its input and what it does. */
export interface Tool<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  description: string;
  input: S;
  /** Changes routes or sends traffic: refused unless `portico mcp --allow-write`. */
  write?: boolean;
  run(args: z.infer<z.ZodObject<S>>, ctx: McpContext): Promise<CallToolResult>;
}

/** Checks `run` against `input`, then forgets the shape so tools of every shape fit one list. */
export function defineTool<S extends z.ZodRawShape>(tool: Tool<S>): Tool {
  return tool as unknown as Tool;
}

/** The sentence every write tool's description ends with. */
export const WRITE_NOTE = 'Needs `portico mcp --allow-write`.';
