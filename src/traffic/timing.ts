/** What happened to one exchange on its way to a backend: plain data, shared by the pipeline and the traffic record. */

/** One try at a backend instance. */
export interface ExchangeAttempt {
  target: string;
  /** Milliseconds since the exchange started, when the attempt began. */
  at: number;
  /** Set when the attempt failed (`ECONNREFUSED`, `ECONNRESET`, `timeout`, ...). */
  error?: string;
}

/** Milliseconds since `started` at which each step happened; absent when it did not. */
export interface ExchangeTiming {
  /** An instance was picked (after any injected delay or queueing for a connection slot). */
  picked?: number;
  /** The backend connection was ready (new or reused). */
  connected?: number;
  /** The request body was fully sent to the backend. */
  sent?: number;
  /** Response headers arrived. */
  firstByte?: number;
  /** The last byte went to the client. */
  end?: number;
}
