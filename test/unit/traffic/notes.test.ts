import {describe, expect, it} from 'vitest';
import {formatEventLine} from '../../../src/traffic/format.js';
import type {RequestEvent} from '../../../src/traffic/event.js';

describe('traffic lines', () => {
  it('say what the front door did to a request: limited, injected, served from the cache', () => {
    const event: RequestEvent = {
      type: 'request',
      id: 1,
      time: Date.UTC(2026, 11, 1, 12, 0, 0),
      method: 'GET',
      host: 'api.localhost',
      path: '/items',
      status: 429,
      duration: 0,
      bytes: 120,
      route: 'api.localhost',
      protocol: 'h2',
      notes: ['rate-limited'],
    };
    expect(formatEventLine(event)).toBe('12:00:00.000 h2 429 GET api.localhost/items 0ms 120B [rate-limited]');
    expect(formatEventLine({...event, status: 503, notes: ['injected: delay 300ms', 'injected: 503']})).toMatch(/ \[injected: delay 300ms, injected: 503\]$/);
    expect(formatEventLine({...event, status: 200, notes: undefined})).not.toContain('[');
  });
});
