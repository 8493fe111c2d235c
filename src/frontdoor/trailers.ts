import type {IncomingHttpHeaders} from 'node:http';
import type {Readable} from 'node:stream';
import type {ExchangeResponse} from '../pipeline/exchange.js';

/**
 * A pass that wraps the body hides the backend's trailers (they live on the IncomingMessage it
 * replaced): copy them onto the response when the original body ends, before the wrapper does.
 */
export function keepTrailers(response: ExchangeResponse, source: Readable): void {
  const trailers = (source as {trailers?: IncomingHttpHeaders}).trailers;
  if (!response.trailers && trailers && Object.keys(trailers).length > 0) response.trailers = trailers;
}
