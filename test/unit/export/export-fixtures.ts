import {checkBackendsUsed, emptyBackendMap, parseBackend, planRoutes} from '../../../src/export/mapping.js';
import type {ExportRoute, RenderOptions} from '../../../src/export/types.js';
import type {Route, RouteOptions, Strategy} from '../../../src/routes/types.js';

/** A route as portico.json or `add` would make it. */
export function route(
  spec: string,
  targets: string[],
  extra: {strategy?: Strategy; health?: string; stripPrefix?: boolean; options?: RouteOptions} = {},
): Route {
  const slash = spec.indexOf('/');
  return {
    host: slash === -1 ? spec : spec.slice(0, slash),
    path: slash === -1 ? '/' : spec.slice(slash),
    targets: targets.map((url) => ({url})),
    strategy: extra.strategy ?? 'round-robin',
    stripPrefix: extra.stripPrefix ?? false,
    ...(extra.health ? {health: extra.health} : {}),
    ...(extra.options ? {options: extra.options} : {}),
  };
}

/** The topology of the issue: app, app/api (two instances, least-conn, /healthz), app/docs (strip), home. */
export function shopRoutes(options: RouteOptions = {}): Route[] {
  return [
    route('app.localhost', ['http://localhost:5173']),
    route('app.localhost/api', ['http://localhost:9090', 'http://localhost:9091'], {strategy: 'least-conn', health: '/healthz', options}),
    route('app.localhost/docs', ['http://localhost:4000'], {stripPrefix: true}),
    route('localhost', ['http://localhost:7000']),
  ];
}

export function plan(routes: Route[], backends: string[] = [], domain: string | undefined = 'example.com'): ExportRoute[] {
  const map = emptyBackendMap();
  for (const b of backends) parseBackend(b, map);
  checkBackendsUsed(map, routes);
  return planRoutes(routes, domain, map);
}

export const BACKENDS = [
  'app.localhost=http://web:3000',
  'app.localhost/api=http://api-1:8080,http://api-2:8080',
  '4000=http://docs:80',
  'localhost=http://home:8000',
];

export const RENDER: RenderOptions = {selectorLabel: 'app.kubernetes.io/name', gateway: 'public'};
