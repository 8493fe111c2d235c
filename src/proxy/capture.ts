/**
 * Capture, as passes (README "The dashboard"): while a viewer asks for it (`TrafficSink.wantsCapture`, the dashboard),
 * each exchange records bounded copies of its request body (observed as it streams to the backend)
 * and of the response as the client gets it (a tee after every other response pass), and the pipeline
 * keeps the result with the exchange's event. When nobody watches, both passes return at once.
 */
import {Transform, type Readable} from 'node:stream';
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
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      body.add(chunk);
      done(null, chunk);
    },
  });
  tee.on('error', () => undefined); // reported by the writer through 'close' without 'end'
  linkTee(response.body, tee);
  // In place: the pipeline sets `trailers` on this object when the backend's body ends.
  response.body = tee;
  return response;
};

/**
 * What stream.pipeline would do here, without its per-call AbortController (whose abort builds a
 * DOMException with a stack: ~3% of a capturing daemon's time, README "Performance"): a client that
 * goes away destroys the backend response too; a backend that breaks breaks the tee.
 */
function linkTee(source: Readable, tee: Transform): void {
  source.pipe(tee);
  source.once('error', (error) => tee.destroy(error));
  source.once('close', () => {
    if (!source.readableEnded) tee.destroy(new Error('backend response broke'));
  });
  tee.once('close', () => {
    if (!source.readableEnded && !source.destroyed) source.destroy();
  });
}

/** Appended last to the route table's features, so the response it records is the one the client gets. */
export const CAPTURE: PassFactory = {
  name: 'capture',
  request: () => captureRequest,
  response: () => captureResponse,
};
