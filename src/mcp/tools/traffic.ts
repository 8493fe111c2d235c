import {z} from 'zod';
import {UserError} from '../../errors.js';
import {parseDuration} from '../../routes/duration.js';
import type {RequestEvent} from '../../traffic/event.js';
import {FilterError, matchFilter, parseFilter} from '../../traffic/filter.js';
import {HISTORY, recentRequests} from '../history.js';
import {jsonResult} from '../result.js';
import {defineTool} from '../tool.js';

const word = z.string().regex(/^\S+$/, 'one word, no spaces');

/** `5m` (that long ago) or an ISO date, as epoch ms. */
export function parseTime(text: string, field: string, now: number): number {
  if (/^\d+(\.\d+)?\s*(ms|s|m|h)$/i.test(text.trim())) return now - parseDuration(text, field);
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new UserError(`Invalid ${field} \`${text}\`: expected a duration ago (30s, 5m, 2h) or an ISO date.`);
  return at;
}

/** One line of the list: what `logs --json` shows, with the time readable. */
function summary(e: RequestEvent): Record<string, unknown> {
  const {type: _type, requestHeaders: _req, responseHeaders: _res, time, ...rest} = e;
  return {...rest, time: new Date(time).toISOString()};
}

export const listTraffic = defineTool({
  name: 'list_traffic',
  description:
    'Recent requests through portico, newest last, filtered like `portico logs`. Each has an id for get_exchange; captured=true means bodies and timing are kept.',
  input: {
    status: z
      .union([z.number().int().min(100).max(599), word])
      .optional()
      .describe('404, 5xx or 404,5xx'),
    host: word.optional().describe('host contains this'),
    method: word.optional(),
    path: word.optional().describe('/api: prefix; other text: anywhere in the path'),
    protocol: z.enum(['h1', 'h2', 'ws']).optional(),
    since: z.string().optional().describe('5m (ago) or ISO date'),
    until: z.string().optional().describe('5m (ago) or ISO date'),
    limit: z.number().int().min(1).max(HISTORY).optional().describe('newest N, default 50'),
  },
  async run(args, ctx) {
    const now = Date.now();
    const since = args.since === undefined ? undefined : parseTime(args.since, 'since', now);
    const until = args.until === undefined ? undefined : parseTime(args.until, 'until', now);
    const terms = [
      args.status === undefined ? '' : `status:${args.status}`,
      args.host === undefined ? '' : `host:${args.host}`,
      args.method === undefined ? '' : `method:${args.method}`,
      args.path === undefined ? '' : `path:${args.path}`,
      args.protocol === undefined ? '' : `proto:${args.protocol}`,
    ].filter(Boolean);
    let filter: ReturnType<typeof parseFilter>;
    try {
      filter = parseFilter(terms.join(' '));
    } catch (error) {
      if (error instanceof FilterError) throw new UserError(`Invalid status \`${args.status}\`: expected a status like 404, 5xx or 404,5xx.`);
      throw error;
    }
    await ctx.daemon();
    const matching = (await recentRequests(ctx.paths)).filter(
      (e) => matchFilter(filter, e) && (since === undefined || e.time >= since) && (until === undefined || e.time <= until),
    );
    const limit = args.limit ?? 50;
    return jsonResult({matching: matching.length, shown: Math.min(limit, matching.length), requests: matching.slice(-limit).map(summary)});
  },
});
