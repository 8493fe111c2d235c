import {HTTPRoute} from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import {Service} from 'kubernetes-models/v1';
import {Ingress} from 'kubernetes-models/networking.k8s.io/v1';
import {describe, expect, it} from 'vitest';
import YAML from 'yaml';
import {renderGateway} from '../../../src/export/gateway.js';
import {renderIngress} from '../../../src/export/ingress.js';
import {BACKENDS, RENDER, plan, route, shopRoutes} from './export-fixtures.js';

type Doc = {apiVersion: string; kind: string; metadata: {name: string; namespace?: string}; spec: Record<string, unknown>};

/** Parse the multi-document YAML back and validate each document against the official schema. */
function validated(text: string): Doc[] {
  const docs = YAML.parseAllDocuments(text).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Doc;
  });
  for (const doc of docs) {
    const model =
      doc.kind === 'HTTPRoute'
        ? new HTTPRoute(doc as never)
        : doc.kind === 'Ingress'
          ? new Ingress(doc as never)
          : doc.kind === 'Service'
            ? new Service(doc as never)
            : undefined;
    expect(model, `unexpected kind ${doc.kind}`).toBeDefined();
    model!.validate();
  }
  return docs;
}

const OPTIONS = {
  timeout: 1500,
  requestHeaders: [{name: 'x-env', value: 'prod: "eu"'}, {name: 'cookie'}],
  responseHeaders: [{name: 'x-frame-options', value: 'DENY'}, {name: 'server'}],
};

describe('portico export gateway', () => {
  it('writes HTTPRoutes and Service stubs that pass the Gateway API and Kubernetes schemas', () => {
    const docs = validated(renderGateway(plan(shopRoutes(OPTIONS), BACKENDS), {...RENDER, namespace: 'shop'}).text);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'HTTPRoute/app-example-com',
      'HTTPRoute/example-com',
      'Service/api-1',
      'Service/api-2',
      'Service/docs',
      'Service/home',
      'Service/web',
    ]);
    expect(docs.every((d) => d.metadata.namespace === 'shop')).toBe(true);
  });

  it('keeps strip-prefix, header rules, the timeout and both instances of a route', () => {
    const [app] = validated(renderGateway(plan(shopRoutes(OPTIONS), BACKENDS), RENDER).text);
    expect(app!.spec.parentRefs).toEqual([{name: 'public'}]);
    expect(app!.spec.hostnames).toEqual(['app.example.com']);
    const [docs, api, root] = app!.spec.rules as Array<Record<string, unknown>>;
    expect(docs!.matches).toEqual([{path: {type: 'PathPrefix', value: '/docs'}}]);
    expect(docs!.filters).toEqual([{type: 'URLRewrite', urlRewrite: {path: {type: 'ReplacePrefixMatch', replacePrefixMatch: '/'}}}]);
    expect(api!.backendRefs).toEqual([
      {name: 'api-1', port: 8080},
      {name: 'api-2', port: 8080},
    ]);
    expect(api!.timeouts).toEqual({backendRequest: '1500ms'});
    expect(api!.filters).toEqual([
      {type: 'RequestHeaderModifier', requestHeaderModifier: {set: [{name: 'x-env', value: 'prod: "eu"'}], remove: ['cookie']}},
      {type: 'ResponseHeaderModifier', responseHeaderModifier: {set: [{name: 'x-frame-options', value: 'DENY'}], remove: ['server']}},
    ]);
    expect(root!.matches).toEqual([{path: {type: 'PathPrefix', value: '/'}}]);
  });

  it('makes Service stubs select pods on the label the user chose', () => {
    const docs = validated(renderGateway(plan(shopRoutes(), BACKENDS), {...RENDER, selectorLabel: 'app'}).text);
    const web = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'web')!;
    expect(web.spec).toEqual({selector: {app: 'web'}, ports: [{name: 'http', port: 3000, targetPort: 3000, protocol: 'TCP'}]});
  });

  it('names a Service after the route when no backend is mapped, and says so', () => {
    const rendered = renderGateway(plan(shopRoutes()), RENDER);
    const docs = validated(rendered.text);
    expect(docs.filter((d) => d.kind === 'Service').map((d) => d.metadata.name)).toEqual(['app', 'app-api', 'app-docs', 'root']);
    expect(rendered.notes.filter((n) => n.feature === 'local target')).toHaveLength(4);
    expect(rendered.text).toContain('# portico: app.localhost/api: local target: exported as a Service named after the route, port 9090');
  });

  it('writes what the Gateway API cannot express as comments: least-conn, health checks, cache, faults', () => {
    const routes = [
      route('app.localhost', ['http://localhost:1'], {
        strategy: 'least-conn',
        health: '/healthz',
        options: {cache: {maxBytes: 1e6}, fail: {rate: 0.1, status: 503}},
      }),
    ];
    const rendered = renderGateway(plan(routes, ['app.localhost=http://web:80']), RENDER);
    expect(rendered.notes.map((n) => n.feature)).toEqual(['strategy least-conn', 'health check /healthz', 'cache', 'fail 10% with 503']);
    for (const note of rendered.notes) expect(rendered.text).toContain(`# portico: app.localhost: ${note.feature}: ${note.detail}.`);
    validated(rendered.text);
  });
});

describe('portico export ingress', () => {
  it('writes Ingresses with Prefix paths, class and TLS that pass the networking.k8s.io/v1 schema', () => {
    const docs = validated(renderIngress(plan(shopRoutes(), BACKENDS), {...RENDER, ingressClass: 'nginx', tlsSecret: 'example-com-tls'}).text);
    const app = docs.find((d) => d.kind === 'Ingress' && d.metadata.name === 'app-example-com')!;
    expect(app.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{hosts: ['app.example.com'], secretName: 'example-com-tls'}],
      rules: [
        {
          host: 'app.example.com',
          http: {
            paths: [
              {path: '/docs', pathType: 'Prefix', backend: {service: {name: 'docs', port: {number: 80}}}},
              {path: '/api', pathType: 'Prefix', backend: {service: {name: 'api-1', port: {number: 8080}}}},
              {path: '/', pathType: 'Prefix', backend: {service: {name: 'web', port: {number: 3000}}}},
            ],
          },
        },
      ],
    });
  });

  it('says what an Ingress cannot express: strip-prefix, a second Service, header rules', () => {
    const rendered = renderIngress(plan(shopRoutes({requestHeaders: [{name: 'x-a', value: '1'}]}), BACKENDS), RENDER);
    expect(rendered.notes.map((n) => `${n.route}: ${n.feature}`)).toEqual([
      'app.localhost/docs: strip-prefix',
      'app.localhost/api: strategy least-conn',
      'app.localhost/api: several backends',
      'app.localhost/api: health check /healthz',
      'app.localhost/api: header rules',
    ]);
    validated(rendered.text);
  });

  it('quotes values YAML would otherwise read as another type', () => {
    const routes = [route('yes.localhost', ['http://localhost:1'])];
    const docs = validated(renderIngress(plan(routes, ['yes.localhost=http://on:80'], 'null.example'), RENDER).text);
    expect(docs[0]!.spec.rules).toEqual([
      {host: 'yes.null.example', http: {paths: [{path: '/', pathType: 'Prefix', backend: {service: {name: 'on', port: {number: 80}}}}]}},
    ]);
  });
});
