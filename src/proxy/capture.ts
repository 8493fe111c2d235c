/**
 * Capture, as passes (README "The dashboard"): while a viewer asks for it (`TrafficSink.wantsCapture`, the dashboard),
 * each exchange records bounded copies of its request body (observed as it streams to the backend)
 * and of the response as the client gets it (observed after every other response pass), and the pipeline
 * keeps the result with the exchange's event. When nobody watches, both passes return at once.
 */
import {Recording} from '../traffic/recording.js';
import type {Headers} from '../traffic/capture.js';
import type {Exchange, PassFactory, RequestPass, ResponsePass} from '../pipeline/exchange.js';
import {hasBody} from './headers.js';

const captureRequest: RequestPass = (ex: Exchange) => {
  if (!ex.capturing) return 'next';
  const recording = new Recording(ex.started);
  ex.recording = recording;
  // Observe only: the body is paused until forwarding reads it, and a listener does not resume it.
  if (hasBody(ex.requestHeaders, ex.protocol === 'h2', ex.method)) ex.requestBody.on('data', (chunk: Buffer) => recording.requestBody.add(chunk));
  return 'next';
};

const NO_BODY = new Set([204, 304]);

const captureResponse: ResponsePass = (ex, response) => {
  if (!ex.capturing) return response;
  // A viewer that attached while the request was in flight still gets the response side.
  const recording = (ex.recording ??= new Recording(ex.started));
  const body = recording.response({...response.headers} as Headers, response.source);
  if (ex.method === 'HEAD' || NO_BODY.has(response.status)) return response;
  // Observe the body as the writer reads it, as the request side does: capture is the last pass and
  // the writer takes the body in the same turn, so both listeners see every chunk, and pausing for
  // a slow client pauses both. A tee (a Transform between body and writer) cost a stream, a pipe and
  // their ticks per request, and moved the end of the response to a later write (README "Performance").
  response.body.on('data', (chunk: Buffer) => body.add(chunk));
  return response;
};

/** Appended last to the route table's features, so the response it records is the one the client gets. */
export const CAPTURE: PassFactory = {
  name: 'capture',
  request: () => captureRequest,
  response: () => captureResponse,
};
