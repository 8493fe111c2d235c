/**
 * When a failed attempt may be tried again, per RFC 9110 §9.2.2 and as nginx and Go's transport do:
 * replaying a request the backend may already have acted on is only safe for idempotent methods.
 */

/** Methods whose repetition has the same effect as one request (RFC 9110 §9.2.2). */
export function isIdempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'PUT' || method === 'DELETE' || method === 'TRACE';
}

/** The request body as far as replay goes: none, all of it held in memory, or still streaming (or too big to hold). */
export type BodyState = 'none' | 'buffered' | 'streaming';

export interface FailedAttempt {
  method: string;
  /** The connection was up, so some of the request may have reached the backend. */
  written: boolean;
  /** The attempt ran on a pooled keep-alive connection (which the backend may have closed meanwhile). */
  reused: boolean;
  body: BodyState;
  /** The body bytes sent so far can be sent again (nothing was dropped from memory). */
  replayable: boolean;
}

/** True when another attempt is allowed. */
export function mayRetry(a: FailedAttempt): boolean {
  // Nothing reached the backend: always safe, as long as the body can be sent again.
  if (!a.written) return a.replayable;
  // Reached it, maybe: only an idempotent request with a body we still hold, and only when the failure
  // is the usual race of a pooled connection the backend closed just as we reused it.
  return a.reused && isIdempotent(a.method) && a.body !== 'streaming';
}

/** What the 502 page says about an attempt that was not retried. */
export function describeFailure(code: string, a: FailedAttempt): string {
  // Node's HTTP parser names what it refused (HPE_INVALID_CONSTANT...): the backend did not speak HTTP/1.1.
  if (code.startsWith('HPE_')) return `invalid HTTP response (${code})`;
  if (!a.written) return code;
  if (!isIdempotent(a.method)) return `${code} after the request was sent (a ${a.method} is never sent twice: it may already have had an effect)`;
  return `${code} after the request was sent`;
}
