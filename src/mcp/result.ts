import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {isUserError} from '../errors.js';

/** Compact JSON: an agent reads it as well as indented JSON, in fewer tokens. */
export function jsonResult(data: unknown): CallToolResult {
  return {content: [{type: 'text', text: JSON.stringify(data)}]};
}

export function textResult(text: string): CallToolResult {
  return {content: [{type: 'text', text}]};
}

/** A failed call the agent can act on: the sentence and its hint, as the CLI would print them. */
export function errorResult(error: unknown): CallToolResult {
  const text = isUserError(error)
    ? error.hint
      ? `${error.message}\n${error.hint}`
      : error.message
    : `portico failed: ${(error as Error).message ?? String(error)}`;
  return {isError: true, content: [{type: 'text', text}]};
}
