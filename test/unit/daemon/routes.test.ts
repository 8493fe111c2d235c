import {describe, expect, it} from 'vitest';
import {addRoute, pruneOwners, removeRoute, setProjectRoutes} from '../../../src/daemon/routes.js';
import type {Route} from '../../../src/routes/types.js';
import {UserError} from '../../../src/errors.js';

const api: Route = {host: 'api.localhost', path: '/', targets: [{url: 'http://localhost:9090'}], strategy: 'round-robin', stripPrefix: false};

/** The error a call throws, so a test can check its class and sentence. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('adding a route', () => {
  it('creates a route with the default strategy and leaves the list it was given untouched', () => {
    const before: Route[] = [api];
    const {routes, route, created} = addRoute(before, {spec: 'web.localhost/app', targets: ['5173']});
    expect(created).toBe(true);
    expect(route).toEqual({host: 'web.localhost', path: '/app', targets: [{url: 'http://localhost:5173'}], strategy: 'round-robin', stripPrefix: false});
    expect(routes).toEqual([api, route]);
    expect(before).toEqual([api]);
  });

  it('adds a second instance to an existing route, keeping its place, strategy and health path', () => {
    const sticky: Route = {...api, strategy: 'sticky', health: '/healthz'};
    const {routes, route, created} = addRoute([sticky, {...api, host: 'other.localhost'}], {spec: 'api.localhost', targets: ['9091']});
    expect(created).toBe(false);
    expect(routes[0]).toBe(route);
    expect(route.targets.map((t) => t.url)).toEqual(['http://localhost:9090', 'http://localhost:9091']);
    expect(route).toMatchObject({strategy: 'sticky', health: '/healthz'});
    expect(routes[1]!.host).toBe('other.localhost');
  });

  it('does not list the same instance twice when it is added again in another spelling', () => {
    const {route} = addRoute([api], {spec: 'API.localhost', targets: ['localhost:9090', '9090']});
    expect(route.targets).toEqual([{url: 'http://localhost:9090'}]);
  });

  it('replaces the targets with --replace, and changes the strategy only when asked', () => {
    const {route} = addRoute([{...api, strategy: 'first'}], {spec: 'api.localhost', targets: ['9200', '9201'], replace: true});
    expect(route.targets.map((t) => t.url)).toEqual(['http://localhost:9200', 'http://localhost:9201']);
    expect(route.strategy).toBe('first');
    expect(addRoute([api], {spec: 'api.localhost', targets: ['9090'], strategy: 'least-conn'}).route.strategy).toBe('least-conn');
  });

  it('marks the targets a `portico run` adds with its pid, and keeps the project of a portico.json route', () => {
    const project: Route = {...api, project: '/work/app'};
    const {route} = addRoute([project], {spec: 'api.localhost', targets: ['9300'], owner: 4242});
    expect(route.targets).toEqual([{url: 'http://localhost:9090'}, {url: 'http://localhost:9300', owner: 4242}]);
    expect(route.project).toBe('/work/app');
  });

  it('refuses a route with no target, naming the route and showing an example', () => {
    const error = thrown(() => addRoute([], {spec: 'api.localhost', targets: []}));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe('Route `api.localhost` needs at least one target, e.g. `portico add api.localhost 5173`.');
  });

  it('refuses a bad target or strategy, naming the value, and changes nothing', () => {
    const routes: Route[] = [api];
    expect(thrown(() => addRoute(routes, {spec: 'api.localhost', targets: ['ftp://x:21']})).message).toMatch(
      /^Invalid target `ftp:\/\/x:21`: scheme `ftp` is not http or https\./,
    );
    expect(thrown(() => addRoute(routes, {spec: 'api.localhost', targets: ['9090'], strategy: 'fastest' as never})).message).toMatch(/`fastest`/);
    expect(routes).toEqual([api]);
  });
});

describe('removing a route', () => {
  const two: Route = {...api, targets: [{url: 'http://localhost:9090'}, {url: 'http://localhost:9091'}]};

  it('removes the whole route when no target is named', () => {
    const {routes, removed, route} = removeRoute([two, {...api, host: 'b.localhost'}], {spec: 'api.localhost'});
    expect(routes.map((r) => r.host)).toEqual(['b.localhost']);
    expect(removed).toEqual(two);
    expect(route).toBeUndefined();
  });

  it('removes only the named instance and keeps the route serving the others', () => {
    const {routes, removed, route} = removeRoute([two], {spec: 'api.localhost', targets: ['9091']});
    expect(route!.targets).toEqual([{url: 'http://localhost:9090'}]);
    expect(routes).toEqual([route]);
    expect(removed.targets).toEqual([{url: 'http://localhost:9091'}]);
  });

  it('removes the route with its last instance', () => {
    expect(removeRoute([api], {spec: 'api.localhost', targets: ['9090']}).routes).toEqual([]);
  });

  it('names the route that does not exist, and the target a route does not have with the ones it has', () => {
    const missing = thrown(() => removeRoute([api], {spec: 'nope.localhost'}));
    expect(missing).toBeInstanceOf(UserError);
    expect(missing.message).toBe('No route `nope.localhost` to remove.');
    const target = thrown(() => removeRoute([two], {spec: 'api.localhost', targets: ['9999']})) as UserError;
    expect(target.message).toBe('Route `api.localhost` has no target `http://localhost:9999`.');
    expect(target.hint).toBe('Its targets: http://localhost:9090, http://localhost:9091.');
  });
});

describe("a project's routes", () => {
  const incoming: Array<Omit<Route, 'project'>> = [
    {host: 'web.localhost', path: '/', targets: [{url: 'http://localhost:5174'}], strategy: 'round-robin', stripPrefix: false},
  ];

  it("replace that project's earlier routes and a hand-added route of the same name, leaving the others", () => {
    const earlier: Route = {
      host: 'old.localhost',
      path: '/',
      targets: [{url: 'http://localhost:5000'}],
      strategy: 'round-robin',
      stripPrefix: false,
      project: '/p',
    };
    const clash: Route = {...api, host: 'web.localhost'};
    const otherProject: Route = {...api, host: 'x.localhost', project: '/q'};
    const next = setProjectRoutes([earlier, clash, otherProject, api], {project: '/p', routes: incoming}).routes;
    expect(next.map((r) => `${r.host} ${r.project ?? '-'}`)).toEqual(['x.localhost /q', 'api.localhost -', 'web.localhost /p']);
  });

  it('refuse a project that is not an absolute directory, naming it', () => {
    expect(thrown(() => setProjectRoutes([], {project: 'rel/dir', routes: incoming})).message).toBe(
      'Invalid project `rel/dir`: expected an absolute directory.',
    );
  });
});

describe('pruning the instances of exited `portico run` processes', () => {
  const mixed: Route = {...api, targets: [{url: 'http://localhost:9090'}, {url: 'http://localhost:9091', owner: 11}]};
  const owned: Route = {...api, host: 'run.localhost', targets: [{url: 'http://localhost:9500', owner: 12}]};

  it('drops only the instances whose owner is gone, and a route left with none', () => {
    const next = pruneOwners([mixed, owned, api], (pid) => pid !== 11 && pid !== 12);
    expect(next).toEqual([{...mixed, targets: [{url: 'http://localhost:9090'}]}, api]);
  });

  it('reports no change when every owner is alive, so nothing is rewritten', () => {
    expect(pruneOwners([mixed, owned, api], () => true)).toBeUndefined();
  });

  it('asks about owned instances only', () => {
    const asked: number[] = [];
    pruneOwners([mixed, owned, api], (pid) => (asked.push(pid), true));
    expect(asked.sort()).toEqual([11, 12]);
  });
});
