import {describe, expect, it} from 'vitest';
import {CONTROL_API, endpointFor, pathFor} from '../../../src/daemon/api.js';

const url = (p: string) => new URL(p, 'http://portico');

describe('the control API table', () => {
  it('names the endpoint and the field when a request body has the wrong shape', () => {
    const add = CONTROL_API.addRoute;
    expect(() => add.read({spec: 'app.localhost', targets: 9090}, url('/routes/add'))).toThrow(
      'Invalid request body for POST /routes/add: `targets` must be a list of targets, not 9090.',
    );
    expect(() => add.read({targets: ['9090']}, url('/routes/add'))).toThrow(
      'Invalid request body for POST /routes/add: `spec` is missing (a route `host[/path]`).',
    );
    expect(() => add.read({spec: 'a.localhost', targets: ['1'], strategy: 'fastest'}, url('/routes/add'))).toThrow(
      /`strategy` must be one of round-robin, least-conn, random, first, sticky, not "fastest"/,
    );
    expect(() => add.read({spec: 'a.localhost', targets: ['1'], colour: 'red'}, url('/routes/add'))).toThrow(
      'Invalid request body for POST /routes/add: unknown field `colour`.',
    );
    expect(() => add.read('app.localhost 9090', url('/routes/add'))).toThrow('Invalid request body for POST /routes/add: expected a JSON object.');
    expect(() => CONTROL_API.removeRoute.read({spec: 'a.localhost', targets: [1]}, url('/routes/remove'))).toThrow(
      'Invalid request body for POST /routes/remove',
    );
    expect(() => CONTROL_API.projectRoutes.read({project: '/p', routes: {}}, url('/routes/project'))).toThrow('`routes` must be a list of routes');
    expect(() => CONTROL_API.status.read({verbose: true}, url('/status'))).toThrow('Invalid request body for GET /status: expected no body.');
    expect(() => CONTROL_API.probedStatus.read({maxAgeMs: -1}, url('/status/probe'))).toThrow(
      'Invalid request body for POST /status/probe: `maxAgeMs` must be a whole number of milliseconds >= 0, not -1.',
    );
  });

  it('hands a well-formed body on as it came', () => {
    const body = {spec: 'app.localhost/api', targets: ['9090', '9091'], strategy: 'sticky', stripPrefix: true, options: {compress: true}};
    expect(CONTROL_API.addRoute.read(body, url('/routes/add'))).toEqual(body);
    expect(CONTROL_API.clearCache.read(undefined, url('/cache/clear'))).toEqual({});
    expect(CONTROL_API.shutdown.read(undefined, url('/shutdown'))).toBeUndefined();
    expect(CONTROL_API.probedStatus.read({maxAgeMs: 2000}, url('/status/probe'))).toEqual({maxAgeMs: 2000});
  });

  it('reads the exchange id from the path, and refuses one that is not a number', () => {
    expect(CONTROL_API.exchange.read(undefined, url('/exchanges/12'))).toEqual({id: 12});
    expect(() => CONTROL_API.replay.read(undefined, url('/replay/abc'))).toThrow('Invalid request id `abc`: expected a number from `portico logs`.');
  });

  it('finds the endpoint a request line names, and the path a client sends to', () => {
    expect(endpointFor('GET', '/exchanges')).toBe('exchanges');
    expect(endpointFor('GET', '/exchanges/7')).toBe('exchange');
    expect(endpointFor('POST', '/replay/7')).toBe('replay');
    expect(endpointFor('POST', '/routes/add')).toBe('addRoute');
    expect(endpointFor('GET', '/routes/add')).toBeUndefined();
    expect(endpointFor('DELETE', '/routes')).toBeUndefined();
    expect(pathFor(CONTROL_API.replay, {id: 7})).toBe('/replay/7');
    expect(pathFor(CONTROL_API.addRoute, {spec: 'a.localhost', targets: []})).toBe('/routes/add');
  });
});
