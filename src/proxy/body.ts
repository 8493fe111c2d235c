import {PassThrough, type Readable} from 'node:stream';
import type {BodyState} from './retry.js';

/** Bytes of request body held for a possible replay; a longer body streams through and is not replayed. Default 256 KiB. */
export const REPLAY_LIMIT = 256 * 1024;

/** A readable-ish source: IncomingMessage, Http2ServerRequest or portico's H2Request view. */
export interface BodySource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  once(event: 'end', listener: () => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * The client's request body, handed to each attempt as a fresh stream: what has gone by is held (up to
 * `limit`) so a retry can send it again; backpressure from the current attempt pauses the client.
 */
export class RequestBody {
  private chunks: Buffer[] = [];
  private size = 0;
  private overflow = false;
  private ended = false;
  private sink: PassThrough | undefined;
  private waiting: PassThrough | undefined;

  constructor(
    private readonly source: BodySource,
    private readonly limit = REPLAY_LIMIT,
  ) {
    source.on('data', this.onData);
    source.once('end', this.onEnd);
    // Nothing flows until the first attempt opens a stream (passes may observe 'data' meanwhile).
    source.pause();
  }

  get state(): BodyState {
    return this.ended && !this.overflow ? 'buffered' : 'streaming';
  }

  /** True when every byte read so far is still held. */
  get replayable(): boolean {
    return !this.overflow;
  }

  /** A stream of the whole body for one attempt: the held bytes, then the rest as it arrives. */
  open(): Readable {
    this.unblock();
    const sink = new PassThrough();
    this.sink = sink;
    for (const chunk of this.chunks) sink.write(chunk);
    if (this.ended) sink.end();
    else this.source.resume();
    return sink;
  }

  /** The exchange is over: nothing more is held; what the client still sends is read and dropped. */
  close(): void {
    this.unblock();
    this.sink = undefined;
    this.chunks = [];
    this.source.removeListener('data', this.onData as never);
    if (!this.ended) this.source.resume();
  }

  private unblock(): void {
    if (!this.waiting) return;
    this.waiting.removeListener('drain', this.onDrain);
    this.waiting = undefined;
  }

  private readonly onDrain = () => {
    this.waiting = undefined;
    this.source.resume();
  };

  private readonly onData = (chunk: Buffer) => {
    if (!this.overflow) {
      this.size += chunk.length;
      if (this.size > this.limit) {
        this.overflow = true;
        this.chunks = [];
      } else this.chunks.push(chunk);
    }
    const sink = this.sink;
    if (sink && !sink.write(chunk) && !this.waiting) {
      this.source.pause();
      this.waiting = sink;
      sink.once('drain', this.onDrain);
    }
  };

  private readonly onEnd = () => {
    this.ended = true;
    this.sink?.end();
  };
}
