import {describe, expect, it} from 'vitest';
import {REDACTED, redactHeaders} from '../../../src/traffic/redact.js';

describe('redactHeaders', () => {
  const headers = {
    'content-type': 'application/json',
    Authorization: 'Bearer sk-1',
    cookie: 'a=1',
    'set-cookie': ['a=2', 'b=3'],
    'proxy-authorization': 'Basic eDp5',
  };

  it('hides credentials but keeps their names, so a reader still sees the request was authenticated', () => {
    expect(redactHeaders(headers, false)).toEqual({
      'content-type': 'application/json',
      Authorization: REDACTED,
      cookie: REDACTED,
      'set-cookie': [REDACTED, REDACTED],
      'proxy-authorization': REDACTED,
    });
  });

  it('keeps everything when asked to, and leaves the original untouched either way', () => {
    expect(redactHeaders(headers, true)).toBe(headers);
    redactHeaders(headers, false);
    expect(headers.Authorization).toBe('Bearer sk-1');
  });

  it('passes missing headers through', () => {
    expect(redactHeaders(undefined, false)).toBeUndefined();
  });
});
