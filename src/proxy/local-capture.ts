import {BodyRecorder, type ExchangeCapture, type Headers} from '../traffic/capture.js';
import type {ProxyRequest} from './pipeline.js';

/** A page portico sent before any route matched (400, 404, 508): its headers and body. */
export interface LocalAnswer {
  headers: Headers;
  body: string;
}

/** The capture of a request portico answered itself, so its detail shows the bytes and headers it sent. */
export function captureLocal(id: number, req: ProxyRequest, host: string, status: number, started: number, error: string, sent: LocalAnswer): ExchangeCapture {
  const body = new BodyRecorder();
  body.add(Buffer.from(sent.body));
  return {
    id,
    started,
    method: req.method ?? 'GET',
    host,
    url: req.url ?? '/',
    clientProtocol: req.httpVersionMajor === 2 ? 'h2' : 'h1',
    requestHeaders: {...req.headers} as Headers,
    status,
    responseHeaders: sent.headers,
    responseBody: body.finish(),
    source: 'portico',
    timing: {end: Date.now() - started},
    attempts: [],
    notes: [],
    error,
  };
}
