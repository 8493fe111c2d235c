import {readFileSync} from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import {describe, expect, it} from 'vitest';
import {renderCaddyfile} from '../../../src/export/caddy.js';
import {mapHost, parseBackend, parseDomain} from '../../../src/export/mapping.js';
import {renderNginx} from '../../../src/export/nginx.js';
import {parseProjectConfig} from '../../../src/routes/project.js';
import {BACKENDS, RENDER, plan, route, shopRoutes} from './export-fixtures.js';

describe('names and backends', () => {
  it('maps <x>.localhost to <x>.<domain> and localhost to the domain itself', () => {
    expect(mapHost('app.localhost', 'example.com')).toBe('app.example.com');
    expect(mapHost('a.b.localhost', 'example.com')).toBe('a.b.example.com');
    expect(mapHost('localhost', 'example.com')).toBe('example.com');
    expect(mapHost('app.localhost', undefined)).toBe('app.localhost');
  });

  it('folds the domain to lower-case punycode', () => {
    expect(parseDomain('Bücher.Example.')).toBe('xn--bcher-kva.example');
  });

  it('maps a route to several backends and a local port to one', () => {
    const map = parseBackend('app.localhost/api=http://a:1,https://b:2');
    parseBackend('9090=c:3', map);
    expect(map.routes.get('app.localhost/api')).toEqual([
      {protocol: 'http:', hostname: 'a', port: 1},
      {protocol: 'https:', hostname: 'b', port: 2},
    ]);
    expect(map.targets.get('http://localhost:9090')).toEqual([{protocol: 'http:', hostname: 'c', port: 3}]);
  });

  it('gives routes whose names collide distinct identifiers', () => {
    const ids = plan([route('a-b.localhost', ['http://localhost:1']), route('a.localhost/b', ['http://localhost:2'])]).map((r) => r.id);
    expect(new Set(ids).size).toBe(2);
  });
});

describe('a route whose backends mix http and https', () => {
  it('is refused for Caddy and nginx, which need one scheme per route', () => {
    const routes = plan([route('x.localhost', ['http://localhost:1'])], ['x.localhost=http://a:80,https://b:443']);
    expect(() => renderCaddyfile(routes, RENDER)).toThrow(
      'Cannot export route `x.localhost` to caddy: its backends mix http and https (http://a:80, https://b:443).',
    );
    expect(() => renderNginx(routes, RENDER)).toThrow(/to nginx: its backends mix http and https/);
  });
});

describe('the deploy section of portico.json', () => {
  it('is read by the project parser and accepted by the shipped JSON Schema', () => {
    const config = {
      routes: {'app.localhost': 5173},
      deploy: {domain: 'example.com', backends: {'app.localhost': 'http://web:3000', '9090': ['http://a:1', 'http://b:1']}},
    };
    expect(parseProjectConfig(config, 'portico.json', '/p').deploy).toEqual({
      domain: 'example.com',
      backends: {'app.localhost': ['http://web:3000'], '9090': ['http://a:1', 'http://b:1']},
    });
    const schema = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../schema/portico.schema.json'), 'utf8')) as object;
    const validate = new Ajv.default({strict: false}).compile(schema);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({...config, deploy: {domian: 'x'}})).toBe(false);
  });
});

describe('Caddyfile', () => {
  const text = renderCaddyfile(plan(shopRoutes(), BACKENDS), RENDER).text;

  it('matches a prefix on a segment boundary and strips it for a strip-prefix route', () => {
    expect(text).toContain('\t@app_docs path /docs /docs/*\n\thandle @app_docs {\n\t\turi strip_prefix /docs\n');
  });

  it('orders handlers longest path first, with the catch-all last', () => {
    expect(text.indexOf('@app_docs')).toBeLessThan(text.indexOf('@app_api'));
    expect(text.indexOf('@app_api')).toBeLessThan(text.indexOf('\thandle {'));
  });

  it('maps each strategy onto an lb_policy', () => {
    const policies = (['round-robin', 'least-conn', 'random', 'first', 'sticky'] as const).map((strategy) => {
      const out = renderCaddyfile(plan([route('x.localhost', ['http://localhost:1', 'http://localhost:2'], {strategy})]), RENDER).text;
      return /lb_policy (.*)/.exec(out)?.[1];
    });
    expect(policies).toEqual(['round_robin', 'least_conn', 'random', 'first', 'cookie portico_x']);
  });

  it('writes header rules, compression and the timeout, and quotes header values', () => {
    const out = renderCaddyfile(
      plan(shopRoutes({compress: true, timeout: 2500, requestHeaders: [{name: 'x-env', value: 'a "b" {c}'}], responseHeaders: [{name: 'server'}]}), BACKENDS),
      RENDER,
    ).text;
    expect(out).toContain('encode zstd gzip');
    expect(out).toContain('header_up "x-env" `a "b" \\{c\\}`');
    expect(out).toContain('header_down "-server"');
    expect(out).toContain('response_header_timeout 2500ms');
  });

  it('names a fixed delay once, as the user wrote it: delay 100ms, not 100-100 ms', () => {
    const rendered = renderCaddyfile(plan(shopRoutes({delay: {minMs: 100, maxMs: 100}}), BACKENDS), RENDER);
    expect(rendered.notes.map((n) => n.feature)).toEqual(['delay 100ms']);
  });

  it('writes cache, rate limit, CORS and faults as comments instead of dropping them', () => {
    const rendered = renderCaddyfile(
      plan(
        shopRoutes({cache: {maxBytes: 1}, rateLimit: {perSecond: 5, burst: 10}, cors: {origins: ['*']}, delay: {minMs: 1, maxMs: 2}, drop: {rate: 0.5}}),
        BACKENDS,
      ),
      RENDER,
    );
    expect(rendered.notes.map((n) => n.feature)).toEqual(['cache', 'cors *', 'rate limit 5/s', 'delay 1ms-2ms', 'drop 50%']);
    expect(rendered.text).toContain('# portico: app.localhost/api: cache: not exported: Caddy caches only with a plugin (cache-handler).');
  });
});

describe('nginx config', () => {
  const text = renderNginx(plan(shopRoutes(), BACKENDS), RENDER).text;

  it('gives a prefix an exact and a prefix location, and strips with a URI in proxy_pass', () => {
    expect(text).toContain('    location = /docs {\n        proxy_pass http://portico_app_docs/;');
    expect(text).toContain('    location /docs/ {\n        proxy_pass http://portico_app_docs/;');
    expect(text).toContain('    location /api/ {\n        proxy_pass http://portico_app_api;');
  });

  it('keeps WebSockets and upstream keep-alive with one Connection map', () => {
    expect(text).toContain('map $http_upgrade $portico_connection_upgrade {');
    expect(text).toContain('proxy_set_header Connection $portico_connection_upgrade;');
    expect(text).toContain('proxy_http_version 1.1;');
  });

  it('maps each strategy onto the upstream block', () => {
    const block = (strategy: 'least-conn' | 'random' | 'first' | 'sticky'): string =>
      /upstream portico_x \{\n([^}]*)\}/.exec(
        renderNginx(plan([route('x.localhost', ['http://localhost:1', 'http://localhost:2'], {strategy})]), RENDER).text,
      )![1]!;
    expect(block('least-conn')).toMatch(/^ {4}least_conn;/);
    expect(block('random')).toMatch(/^ {4}random;/);
    expect(block('sticky')).toMatch(/^ {4}hash \$cookie_portico_x consistent;/);
    expect(block('first')).toContain('server localhost:2 max_fails=1 fail_timeout=10s backup;');
  });

  it('listens on 80 with commented TLS lines, or on 443 with the given certificate and a redirect', () => {
    expect(text).toContain('    #   ssl_certificate     /etc/letsencrypt/live/app.example.com/fullchain.pem;');
    const tls = renderNginx(plan(shopRoutes(), BACKENDS), {...RENDER, tlsCert: '/c.pem', tlsKey: '/k.pem'}).text;
    expect(tls).toContain(
      '    listen 443 ssl;\n    listen [::]:443 ssl;\n    server_name app.example.com;\n    ssl_certificate "/c.pem";\n    ssl_certificate_key "/k.pem";',
    );
    expect(tls).toContain('    return 301 https://$host$request_uri;');
  });

  it('writes rate limits and caches in the http context and uses them in the location', () => {
    const out = renderNginx(plan(shopRoutes({rateLimit: {perSecond: 0.5, burst: 4}, cache: {maxBytes: 1048576}}), BACKENDS), RENDER).text;
    expect(out).toContain('limit_req_zone $binary_remote_addr zone=portico_app_api:10m rate=30r/m;');
    expect(out).toContain('limit_req zone=portico_app_api burst=4 nodelay;');
    expect(out).toContain('keys_zone=portico_cache_app_api:10m max_size=1048576');
    expect(out).toContain('proxy_cache portico_cache_app_api;');
  });

  it("replaces a response header by hiding the backend's and adding its own", () => {
    const out = renderNginx(
      plan(shopRoutes({responseHeaders: [{name: 'x-frame-options', value: 'DENY'}], requestHeaders: [{name: 'x-env', value: 'a "b" $c'}]}), BACKENDS),
      RENDER,
    ).text;
    expect(out).toContain('proxy_hide_header "X-Frame-Options";\n        add_header "X-Frame-Options" "DENY" always;');
    expect(out).toContain('proxy_set_header "X-Env" "a \\"b\\" ${portico_dollar}c";');
    expect(out).toContain('geo $portico_dollar {\n    default "$";\n}');
  });
});
