import {describe, expect, it} from 'vitest';
import {envTimeout, formatDuration, parseDuration} from '../../../src/routes/duration.js';

describe('durations (--timeout, PORTICO_TIMEOUT, portico.json timeout)', () => {
  it('reads milliseconds, seconds, minutes and hours, always written with their unit', () => {
    expect(parseDuration('500ms', '--timeout')).toBe(500);
    expect(parseDuration('30s', '--timeout')).toBe(30_000);
    expect(parseDuration('2m', '--timeout')).toBe(120_000);
    expect(parseDuration('1.5m', '--timeout')).toBe(90_000);
    expect(parseDuration('1h', '--timeout')).toBe(3_600_000);
    expect(parseDuration(' 2M ', '--timeout')).toBe(120_000);
  });

  it('refuses anything else with one sentence naming the input and the value', () => {
    expect(() => parseDuration('abc', '--timeout')).toThrow(
      'Invalid --timeout `abc`: expected a duration from 1ms to 24h with its unit (ms, s, m or h), such as 300ms or 30s.',
    );
    for (const bad of ['0', '0s', '-5s', '5 days', '25h', '1e3', '']) expect(() => parseDuration(bad, '--timeout')).toThrow(/^Invalid --timeout/);
  });

  it('refuses a bare number, naming the units, since 30 could mean 30 ms or 30 s', () => {
    expect(() => parseDuration('90', '--timeout')).toThrow(
      'Invalid --timeout `90`: expected a duration from 1ms to 24h with its unit (ms, s, m or h), such as 300ms or 30s (a number needs its unit: 90ms or 90s).',
    );
    expect(() => parseDuration(90, '`timeout`')).toThrow('Invalid `timeout` `90`');
    expect(parseDuration('0ms', '--delay', {minMs: 0})).toBe(0);
  });

  it('takes the daemon default from PORTICO_TIMEOUT and names it when it is wrong', () => {
    expect(envTimeout({})).toBeUndefined();
    expect(envTimeout({PORTICO_TIMEOUT: '45s'})).toBe(45_000);
    expect(() => envTimeout({PORTICO_TIMEOUT: 'soon'})).toThrow('Invalid PORTICO_TIMEOUT `soon`');
  });

  it('shows durations the way a user writes them', () => {
    expect([formatDuration(120_000), formatDuration(30_000), formatDuration(1500)]).toEqual(['2m', '30s', '1500ms']);
  });
});
