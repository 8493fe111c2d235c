import type {ExchangeAttempt, ExchangeTiming} from './timing.js';
import {BodyRecorder, WS_MESSAGE_BYTES, WS_MESSAGE_LIMIT, type ExchangeCapture, type Headers, type WsMessage} from './capture.js';

/** What the exchange itself knows when it is over; the recording adds the bodies and messages it saw. */
export type ExchangeFacts = Omit<ExchangeCapture, 'requestBody' | 'responseBody' | 'websocket' | 'responseHeaders' | 'source'> & {responseHeaders?: Headers};

/**
 * What the capture pass (or a WebSocket tunnel) records of one exchange while it runs: bounded
 * copies of the bodies as they stream by, the response as the client got it, WebSocket messages.
 */
export class Recording {
  readonly requestBody = new BodyRecorder();
  responseBody: BodyRecorder | undefined;
  responseHeaders: Headers | undefined;
  source: ExchangeCapture['source'];
  private ws: {messages: WsMessage[]; dropped: number} | undefined;

  constructor(private readonly started: number) {}

  /** The response as it goes to the client (after every other pass). */
  response(headers: Headers, source: ExchangeCapture['source']): BodyRecorder {
    this.responseHeaders = headers;
    this.source = source;
    return (this.responseBody = new BodyRecorder());
  }

  /** One chunk that crossed a WebSocket tunnel; the first WS_MESSAGE_LIMIT are kept, the rest counted. */
  wsMessage(from: WsMessage['from'], chunk: Buffer): void {
    const ws = (this.ws ??= {messages: [], dropped: 0});
    if (ws.messages.length >= WS_MESSAGE_LIMIT) {
      ws.dropped++;
      return;
    }
    ws.messages.push({at: Date.now() - this.started, from, size: chunk.length, base64: chunk.subarray(0, WS_MESSAGE_BYTES).toString('base64')});
  }

  complete(facts: ExchangeFacts): ExchangeCapture {
    const requestBody = this.requestBody.size > 0 ? this.requestBody.finish() : undefined;
    const responseBody = this.responseBody && this.responseBody.size > 0 ? this.responseBody.finish() : undefined;
    const responseHeaders = this.responseHeaders ?? facts.responseHeaders;
    return {
      ...facts,
      ...(requestBody ? {requestBody} : {}),
      ...(responseHeaders ? {responseHeaders} : {}),
      ...(responseBody ? {responseBody} : {}),
      ...(this.source ? {source: this.source} : {}),
      ...(this.ws ? {websocket: {messages: this.ws.messages, dropped: this.ws.dropped}} : {}),
    };
  }
}

/** Plain copies of an exchange's timing and attempts: the capture outlives the exchange object. */
export function snapshotRun(timing: ExchangeTiming, attempts: readonly ExchangeAttempt[]): {timing: ExchangeTiming; attempts: ExchangeAttempt[]} {
  return {timing: {...timing}, attempts: attempts.map((a) => ({...a}))};
}
