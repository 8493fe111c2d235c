import {z} from 'zod';
import {call} from '../../daemon/client.js';
import {UserError, isUserError} from '../../errors.js';
import type {ExchangeCapture} from '../../traffic/capture.js';
import {curlCommand} from '../../traffic/curl.js';
import {buildHar} from '../../traffic/har.js';
import {redactHeaders} from '../../traffic/redact.js';
import {VERSION} from '../../version.js';
import type {McpContext} from '../context.js';
import {captureFromEvent, eventFromCapture, exchangeView} from '../exchange-view.js';
import {HISTORY, recentRequests} from '../history.js';
import {jsonResult, textResult} from '../result.js';
import {defineTool} from '../tool.js';

/** A captured request's id, as list_traffic gives it (get_exchange, replay_request). */
export const EXCHANGE_ID = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31)
  .describe('id from list_traffic');

/** The capture, or undefined when the daemon did not capture it (or evicted it). */
async function capturedExchange(ctx: McpContext, id: number): Promise<ExchangeCapture | undefined> {
  try {
    return await call(ctx.paths, 'exchange', {id}, {timeoutMs: 15_000});
  } catch (error) {
    if (isUserError(error)) return undefined;
    throw error;
  }
}

export const getExchange = defineTool({
  name: 'get_exchange',
  description:
    'One request in full: headers, bodies (decoded), timing, attempts, errors, WebSocket frames. format: json (default), curl (a command to resend it) or har (HAR 1.2).',
  input: {
    id: EXCHANGE_ID,
    format: z.enum(['json', 'curl', 'har']).optional(),
  },
  async run({id, format = 'json'}, ctx) {
    const status = await ctx.daemon();
    const raw = await capturedExchange(ctx, id);
    const capture = raw && {
      ...raw,
      requestHeaders: redactHeaders(raw.requestHeaders, ctx.withSecrets),
      responseHeaders: redactHeaders(raw.responseHeaders, ctx.withSecrets),
    };
    const found = (await recentRequests(ctx.paths)).find((e) => e.id === id);
    // Events carry headers too while a viewer wants them (this session does): redact those as well.
    const event = found
      ? {...found, requestHeaders: redactHeaders(found.requestHeaders, ctx.withSecrets), responseHeaders: redactHeaders(found.responseHeaders, ctx.withSecrets)}
      : capture && eventFromCapture(capture);
    if (!event) throw new UserError(`No request ${id} in portico's recent traffic (it keeps the last ${HISTORY}).`, {hint: 'list_traffic shows the ids.'});
    if (format === 'curl') return textResult(curlCommand(capture ?? captureFromEvent(event, status.port), {cacert: status.ca}));
    if (format === 'har') return jsonResult(buildHar([event], new Map(capture ? [[id, capture]] : []), VERSION));
    return jsonResult(exchangeView(event, capture));
  },
});
