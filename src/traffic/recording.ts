import {BodyRecorder, type ExchangeCapture, type Headers, type KeptCapture, type KeptWsMessage, WS_MESSAGE_BYTES, WS_MESSAGE_LIMIT} from './capture.js';

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
  private ws: {messages: KeptWsMessage[]; dropped: number} | undefined;

  constructor(private readonly started: number) {}

  /** The response as it goes to the client (after every other pass). */
  response(headers: Headers, source: ExchangeCapture['source']): BodyRecorder {
    this.responseHeaders = headers;
    this.source = source;
    return (this.responseBody = new BodyRecorder());
  }

  /** One chunk that crossed a WebSocket tunnel; the first WS_MESSAGE_LIMIT are kept, the rest counted. */
  wsMessage(from: KeptWsMessage['from'], chunk: Buffer): void {
    const ws = (this.ws ??= {messages: [], dropped: 0});
    if (ws.messages.length >= WS_MESSAGE_LIMIT) {
      ws.dropped++;
      return;
    }
    // A copy of its own size (`new Uint8Array`, not Node's buffer pool): the chunk may be a slice of a
    // much larger read, and a pooled copy would keep a whole pool slab alive as long as the capture.
    ws.messages.push({at: Date.now() - this.started, from, size: chunk.length, bytes: new Uint8Array(chunk.subarray(0, WS_MESSAGE_BYTES))});
  }

  /** The capture: `facts` (a fresh object, taken over) with what was recorded. Assigned, not spread: once per captured request. */
  complete(facts: ExchangeFacts): KeptCapture {
    const capture: KeptCapture = facts;
    if (this.requestBody.size > 0) capture.requestBody = this.requestBody.finish();
    const responseHeaders = this.responseHeaders ?? facts.responseHeaders;
    if (responseHeaders) capture.responseHeaders = responseHeaders;
    if (this.responseBody && this.responseBody.size > 0) capture.responseBody = this.responseBody.finish();
    if (this.source) capture.source = this.source;
    if (this.ws) capture.websocket = {messages: this.ws.messages, dropped: this.ws.dropped};
    return capture;
  }
}
