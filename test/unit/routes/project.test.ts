import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {inferProjectName, loadProjectConfig} from '../../../src/routes/project.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portico-project-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

describe('portico.json', () => {
  it('reads every form of route value', () => {
    writeFileSync(
      path.join(dir, 'portico.json'),
      JSON.stringify({
        routes: {
          'app.localhost': 5173,
          'app.localhost/api': {targets: [9090, '127.0.0.1:9091'], strategy: 'least-conn', health: '/healthz', stripPrefix: true},
        },
      }),
    );
    const config = loadProjectConfig(dir)!;
    expect(config.routes).toEqual([
      {host: 'app.localhost', path: '/', targets: [{url: 'http://localhost:5173'}], strategy: 'round-robin', stripPrefix: false, project: dir},
      {
        host: 'app.localhost',
        path: '/api',
        targets: [{url: 'http://localhost:9090'}, {url: 'http://127.0.0.1:9091'}],
        strategy: 'least-conn',
        health: '/healthz',
        stripPrefix: true,
        project: dir,
      },
    ]);
  });

  it('falls back to the "portico" key of package.json', () => {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: 'x', portico: {routes: {'x.localhost': [3000, 3001]}}}));
    expect(loadProjectConfig(dir)!.routes[0]!.targets).toHaveLength(2);
  });

  it('is absent when the project declares nothing', () => {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: 'x'}));
    expect(loadProjectConfig(dir)).toBeUndefined();
  });

  it('names the line and column of malformed JSON', () => {
    writeFileSync(path.join(dir, 'portico.json'), '{\n  "routes": {\n    "app.localhost": ,\n  }\n}\n');
    expect(() => loadProjectConfig(dir)).toThrow(/Malformed JSON in `.*portico\.json` at line 3, column 22\./);
  });

  it('names the route and the bad value', () => {
    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({routes: {'app.example.com': 80}}));
    expect(() => loadProjectConfig(dir)).toThrow(/route `app\.example\.com`: Invalid name `app\.example\.com`/);
    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({routes: {'app.localhost': {targets: [70000]}}}));
    expect(() => loadProjectConfig(dir)).toThrow(/port 70000 is outside 1-65535/);
    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({routes: {'app.localhost': {targets: 1, strategy: 'nope'}}}));
    expect(() => loadProjectConfig(dir)).toThrow(/Invalid strategy `nope`/);
  });
});

describe('project names', () => {
  it('prefers --name, then portico.json, then package.json without scope, then the directory', () => {
    expect(inferProjectName(dir, 'My App')).toBe('my-app');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: '@acme/shop-web'}));
    expect(inferProjectName(dir)).toBe('shop-web');
    writeFileSync(path.join(dir, 'portico.json'), JSON.stringify({name: 'store', routes: {}}));
    expect(inferProjectName(dir)).toBe('store');
  });

  it('uses the directory name when nothing else names the project', () => {
    const sub = path.join(dir, 'Cool_Project');
    mkdirSync(sub);
    expect(inferProjectName(sub)).toBe('cool-project');
  });
});
