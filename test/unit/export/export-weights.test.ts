import {readFileSync} from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import {HTTPRoute} from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import {describe, expect, it} from 'vitest';
import YAML from 'yaml';
import {renderCaddyfile} from '../../../src/export/caddy.js';
import {renderGateway} from '../../../src/export/gateway.js';
import {renderIngress} from '../../../src/export/ingress.js';
import {renderNginx} from '../../../src/export/nginx.js';
import {parseProjectConfig} from '../../../src/routes/project.js';
import type {Route, Strategy} from '../../../src/routes/types.js';
import {RENDER, plan} from './export-fixtures.js';

function weighted(strategy: Strategy = 'round-robin', weights = [3, 1]): Route {
  return {
    host: 'app.localhost',
    path: '/api',
    targets: weights.map((weight, i) => ({url: `http://localhost:${9090 + i}`, ...(weight === 1 ? {} : {weight})})),
    strategy,
    stripPrefix: false,
  };
}

const PER_TARGET = ['9090=http://blue:8080', '9091=http://green:8080', '9092=http://grey:8080'];

describe('a weighted route in portico.json', () => {
  it('reads {"target": 9090, "weight": 3} next to a plain target, and the schema accepts it', () => {
    const config = {routes: {'app.localhost/api': {targets: [{target: 9090, weight: 3}, 9091]}}};
    expect(parseProjectConfig(config, 'portico.json', '/p').routes[0]!.targets).toEqual([
      {url: 'http://localhost:9090', weight: 3},
      {url: 'http://localhost:9091'},
    ]);
    const schema = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../schema/portico.schema.json'), 'utf8')) as object;
    const validate = new Ajv.default({strict: false}).compile(schema);
    expect(validate(config)).toBe(true);
    expect(validate({routes: {'app.localhost': {targets: [{target: 9090, weight: -1}]}}})).toBe(false);
  });

  it('refuses a weight that is not a whole number from 0 to 1000, naming it', () => {
    expect(() => parseProjectConfig({routes: {'a.localhost': {targets: [{target: 9090, weight: 2.5}]}}}, 'portico.json', '/p')).toThrow(
      /Invalid weight in `\{"target":9090,"weight":2.5\}`/,
    );
    expect(() => parseProjectConfig({routes: {'a.localhost': {targets: [{target: 9090, wieght: 2}]}}}, 'portico.json', '/p')).toThrow(/unknown key `wieght`/);
  });
});

describe('exporting weights', () => {
  it('writes nginx `weight=` and a drained instance as `down`', () => {
    const {text} = renderNginx(plan([weighted('round-robin', [3, 1, 0])]), RENDER);
    expect(text).toMatch(/server localhost:9090 weight=3 max_fails/);
    expect(text).toMatch(/server localhost:9091 max_fails/);
    expect(text).toMatch(/server localhost:9092 down max_fails/);
  });

  it('writes Caddy `lb_policy weighted_round_robin` with the weights in upstream order, leaving a drained one out', () => {
    const {text, notes} = renderCaddyfile(plan([weighted('round-robin', [3, 1, 0])]), RENDER);
    expect(text).toMatch(/reverse_proxy localhost:9090 localhost:9091 \{\n\t+lb_policy weighted_round_robin 3 1\n/);
    expect(notes.map((n) => `${n.severity}: ${n.detail}`)).toContain(
      'info: `lb_policy weighted_round_robin` needs Caddy 2.7 or newer; drained instances (weight 0) are left out',
    );
  });

  it('says Caddy loses weights on least-conn, as a note that --strict makes an error', () => {
    const {notes} = renderCaddyfile(plan([weighted('least-conn')]), RENDER);
    expect(notes).toContainEqual(expect.objectContaining({feature: 'weights 3:1', severity: 'lost'}));
  });

  it('writes Gateway API backendRefs[].weight when each target maps to its own Service', () => {
    const docs = YAML.parseAllDocuments(renderGateway(plan([weighted()], PER_TARGET.slice(0, 2)), RENDER).text).map(
      (d) => d.toJS() as {kind: string; spec: {rules: Array<{backendRefs: unknown}>}},
    );
    const route = docs.find((d) => d.kind === 'HTTPRoute')!;
    new HTTPRoute(route as never).validate();
    expect(route.spec.rules[0]!.backendRefs).toEqual([
      {name: 'blue', port: 8080, weight: 3},
      {name: 'green', port: 8080, weight: 1},
    ]);
  });

  it('says what a Gateway of unmapped local instances and an Ingress cannot keep', () => {
    expect(renderGateway(plan([weighted()]), RENDER).notes).toContainEqual(expect.objectContaining({feature: 'weights 3:1', severity: 'lost'}));
    const ingress = renderIngress(plan([weighted()], PER_TARGET.slice(0, 2)), RENDER);
    expect(ingress.notes).toContainEqual(
      expect.objectContaining({feature: 'weights 3:1', detail: expect.stringMatching(/Ingress path has one Service and no weights/)}),
    );
  });
});
