import {describe, expect, it} from 'vitest';
import {z} from 'zod';
import {TOOLS} from '../../../src/mcp/tools/index.js';
import {WRITE_NOTE} from '../../../src/mcp/tool.js';

/** An agent reads every description on every turn: each stays one or two sentences. */
const DESCRIPTION_LIMIT = 200;
/** The whole tool list (descriptions and input schemas) as an agent receives it. */
const LIST_LIMIT = 6000;

describe('the tools portico mcp offers', () => {
  it.each(TOOLS.map((t) => [t.name, t] as const))('%s has a short description', (_name, tool) => {
    expect(tool.description.length).toBeLessThanOrEqual(DESCRIPTION_LIMIT);
    const {properties = {}} = z.toJSONSchema(z.object(tool.input)) as {properties?: Record<string, {description?: string}>};
    for (const [field, schema] of Object.entries(properties)) expect((schema.description ?? '').length, field).toBeLessThanOrEqual(60);
  });

  it('says in every write tool, and only there, that it needs --allow-write', () => {
    for (const tool of TOOLS) expect(tool.description.endsWith(WRITE_NOTE), tool.name).toBe(tool.write === true);
  });

  it('fits the whole tool list, with its input schemas, in a few thousand characters', () => {
    const list = TOOLS.map((t) => ({name: t.name, description: t.description, inputSchema: z.toJSONSchema(z.object(t.input))}));
    expect(JSON.stringify(list).length).toBeLessThanOrEqual(LIST_LIMIT);
  });

  it('has unique snake_case names', () => {
    const names = TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});
