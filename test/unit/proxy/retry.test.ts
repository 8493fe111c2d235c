import {describe, expect, it} from 'vitest';
import {describeFailure, isIdempotent, mayRetry, type FailedAttempt} from '../../../src/proxy/retry.js';

const attempt = (a: Partial<FailedAttempt>): FailedAttempt => ({method: 'GET', written: true, reused: true, body: 'none', replayable: true, ...a});

describe('when a failed attempt may be tried again (RFC 9110 §9.2.2)', () => {
  it('always retries when nothing reached the backend, if the body can be sent again', () => {
    expect(mayRetry(attempt({method: 'POST', written: false, reused: false, body: 'streaming'}))).toBe(true);
    expect(mayRetry(attempt({method: 'POST', written: false, body: 'streaming', replayable: false}))).toBe(false);
  });

  it('replays an idempotent request with an empty or buffered body only on a reused connection', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']) expect(mayRetry(attempt({method}))).toBe(true);
    expect(mayRetry(attempt({method: 'PUT', body: 'buffered'}))).toBe(true);
    expect(mayRetry(attempt({method: 'PUT', body: 'streaming'}))).toBe(false);
    expect(mayRetry(attempt({method: 'GET', reused: false}))).toBe(false);
  });

  it('never replays a POST or PATCH that was written', () => {
    for (const method of ['POST', 'PATCH', 'CONNECT']) {
      expect(isIdempotent(method)).toBe(false);
      expect(mayRetry(attempt({method}))).toBe(false);
    }
    expect(describeFailure('ECONNRESET', attempt({method: 'POST'}))).toBe(
      'ECONNRESET after the request was sent (a POST is never sent twice: it may already have had an effect)',
    );
  });

  it('names a response that is not HTTP as such', () => {
    expect(describeFailure('HPE_INVALID_CONSTANT', attempt({}))).toBe('invalid HTTP response (HPE_INVALID_CONSTANT)');
  });
});
