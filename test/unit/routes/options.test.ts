import {describe, expect, it} from 'vitest';
import {expandOptionalValues} from '../../../src/cli/optional-values.js';
import {describeOptions, parseOptionFlags, parseProjectOptions, validateRouteOptions} from '../../../src/routes/options-data.js';
import {parseProjectConfig} from '../../../src/routes/project.js';

describe('front-door flags', () => {
  it('parses every flag into route options', () => {
    expect(
      parseOptionFlags({
        cache: '256MB',
        compress: true,
        'request-header': ['X-User: dev'],
        'response-header': ['X-Frame-Options: DENY', '-Server'],
        cors: 'https://app.localhost,http://x.localhost:3000',
        'rate-limit': '20/s,burst=40',
        delay: '300ms-1s',
        fail: '10%:502',
        drop: '5%',
      }),
    ).toEqual({
      cache: {maxBytes: 256 * 1024 * 1024},
      compress: true,
      requestHeaders: [{name: 'x-user', value: 'dev'}],
      responseHeaders: [{name: 'x-frame-options', value: 'DENY'}, {name: 'server'}],
      cors: {origins: ['https://app.localhost', 'http://x.localhost:3000']},
      rateLimit: {perSecond: 20, burst: 40},
      delay: {minMs: 300, maxMs: 1000},
      fail: {rate: 0.1, status: 502},
      drop: {rate: 0.05},
    });
  });

  it("fills the defaults: 64MB cache, this portico's own origins, one second of burst, 503", () => {
    expect(parseOptionFlags({cache: true, cors: true, 'rate-limit': '20/s', fail: '10%', delay: '300ms'})).toEqual({
      cache: {maxBytes: 64 * 1024 * 1024},
      cors: {origins: ['self']},
      rateLimit: {perSecond: 20, burst: 20},
      fail: {rate: 0.1, status: 503},
      delay: {minMs: 300, maxMs: 300},
    });
    expect(parseOptionFlags({'rate-limit': '600/min', 'rate-limit-burst': '5'}).rateLimit).toEqual({perSecond: 10, burst: 5});
  });

  it('refuses bad values in one sentence naming the flag and the value', () => {
    const cases: Array<[Parameters<typeof parseOptionFlags>[0], string]> = [
      [{delay: 'abc'}, 'Invalid --delay `abc`: expected a duration from 0ms to 10m with its unit (ms, s, m or h), such as 300ms or 30s.'],
      [
        {delay: '300'},
        'Invalid --delay `300`: expected a duration from 0ms to 10m with its unit (ms, s, m or h), such as 300ms or 30s (a number needs its unit: 300ms or 300s).',
      ],
      [{timeout: '30'}, 'Invalid --timeout `30`: expected a duration from 1ms to 24h'],
      [{delay: '1s-300ms'}, 'Invalid --delay `1s-300ms`'],
      [{fail: '110%'}, 'Invalid --fail `110%`: expected a share like 10% or 10%:503 (a 4xx or 5xx status).'],
      [{fail: '10%:200'}, 'Invalid --fail `10%:200`'],
      [{drop: 'often'}, 'Invalid --drop `often`: expected a share like 5% (0-100%).'],
      [{'rate-limit': 'fast'}, 'Invalid --rate-limit `fast`: expected a rate like 20/s, 600/min or 20/s,burst=40.'],
      [{'rate-limit': '20/s', 'rate-limit-burst': '0'}, 'Invalid --rate-limit burst `0`'],
      [{cache: 'lots'}, 'Invalid --cache `lots`: expected a size of at least 1KB like 64MB or 512KB.'],
      [{'response-header': ['X-Frame-Options DENY']}, 'Invalid --response-header `X-Frame-Options DENY`'],
      [{'request-header': ['Bad Name: x']}, 'Invalid --request-header `Bad Name: x`'],
      [{cors: 'app.localhost'}, 'Invalid --cors `app.localhost`: expected an origin like https://app.localhost'],
      [{cors: 'https://app.localhost/path'}, 'Invalid --cors `https://app.localhost/path`'],
      [{'rate-limit-burst': '5'}, '--rate-limit-burst needs --rate-limit'],
    ];
    for (const [flags, message] of cases) expect(() => parseOptionFlags(flags), message).toThrow(message);
  });

  it('reads the --cors words: self, * and private-network (alone, it means self with it)', () => {
    expect(parseOptionFlags({cors: 'private-network'}).cors).toEqual({origins: ['self', 'private-network']});
    expect(parseOptionFlags({cors: '*'}).cors).toEqual({origins: ['*']});
    expect(parseOptionFlags({cors: 'self, https://ui.example.com, private-network'}).cors).toEqual({
      origins: ['self', 'https://ui.example.com', 'private-network'],
    });
    expect(parseProjectConfig({routes: {'api.localhost': {targets: 9090, cors: true}}}, 'portico.json', '/p').routes[0]!.options).toEqual({
      cors: {origins: ['self']},
    });
  });

  it('takes a bare --cache and --cors as the defaults, and --cache 64MB as a size', () => {
    expect(expandOptionalValues(['api.localhost', '9090', '--cache', '--cors'])).toEqual([
      'api.localhost',
      '9090',
      `--cache=${64 * 1024 * 1024}`,
      '--cors=self',
    ]);
    expect(expandOptionalValues(['--cache', '128MB', 'a.localhost', '9090'])).toEqual(['--cache=128MB', 'a.localhost', '9090']);
    expect(expandOptionalValues(['a.localhost', '--cache', '9090'])).toEqual(['a.localhost', `--cache=${64 * 1024 * 1024}`, '9090']);
  });

  it('describes options the way a user types them', () => {
    expect(
      describeOptions({
        cache: {maxBytes: 64 * 1024 * 1024},
        compress: true,
        cors: {origins: ['*']},
        rateLimit: {perSecond: 20, burst: 40},
        delay: {minMs: 300, maxMs: 1000},
        fail: {rate: 0.1, status: 503},
        drop: {rate: 0.05},
      }),
    ).toEqual(['cache 64MB', 'compress', 'cors *', 'rate-limit 20/s burst 40', 'delay 300ms-1s', 'fail 10%:503', 'drop 5%']);
  });
});

describe('front-door options as data', () => {
  it('reads the portico.json keys written like the flags', () => {
    const config = parseProjectConfig(
      {
        routes: {
          'api.localhost': {
            targets: 9090,
            cache: true,
            compress: true,
            responseHeaders: ['-Server'],
            cors: ['https://app.localhost'],
            rateLimit: '5/s',
            fail: '1%',
          },
        },
      },
      'portico.json',
      '/p',
    );
    expect(config.routes[0]!.options).toEqual({
      cache: {maxBytes: 64 * 1024 * 1024},
      compress: true,
      responseHeaders: [{name: 'server'}],
      cors: {origins: ['https://app.localhost']},
      rateLimit: {perSecond: 5, burst: 5},
      fail: {rate: 0.01, status: 503},
    });
  });

  it('refuses a bad portico.json value naming the route, the key and the value', () => {
    expect(() => parseProjectConfig({routes: {'api.localhost': {targets: 9090, delay: 'soon'}}}, 'portico.json', '/p')).toThrow(
      'Invalid `portico.json`: route `api.localhost`: Invalid delay `soon`: expected a duration from 0ms to 10m with its unit (ms, s, m or h), such as 300ms or 30s.',
    );
    expect(() => parseProjectOptions({compress: 'yes'})).toThrow('`compress` must be true or false, got "yes".');
  });

  it('keeps stored options that check out and refuses ones that do not', () => {
    const stored = {cache: {maxBytes: 2048}, fail: {rate: 0.5, status: 500}, cors: {origins: ['*']}, unknown: 1};
    expect(validateRouteOptions(stored)).toEqual({cache: {maxBytes: 2048}, fail: {rate: 0.5, status: 500}, cors: {origins: ['*']}});
    expect(() => validateRouteOptions({fail: {rate: 2, status: 500}})).toThrow('options.fail is {"rate":2,"status":500}');
    expect(validateRouteOptions({})).toBeUndefined();
  });
});
