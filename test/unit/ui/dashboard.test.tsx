import chalk from 'chalk';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import type {Status} from '../../../src/daemon/protocol.js';
import type {RequestEvent} from '../../../src/traffic/event.js';
import {App} from '../../../src/ui/App.js';
import {DashModel} from '../../../src/ui/model.js';
import {screen} from '../../helpers/ink.js';
import {waitFor} from '../../helpers/wait.js';

const status: Status = {
  version: '0.1.0',
  pid: 4242,
  port: 1443,
  startedAt: Date.now() - 65_000,
  ca: '/home/me/.portico/ca.pem',
  notices: [],
  routes: [
    {
      host: 'app.localhost',
      path: '/',
      url: 'https://app.localhost:1443/',
      strategy: 'round-robin',
      stripPrefix: false,
      targets: [{target: 'http://localhost:5173', healthy: true, active: 1, requests: 10, weight: 1}],
    },
    {
      host: 'app.localhost',
      path: '/api',
      url: 'https://app.localhost:1443/api',
      strategy: 'least-conn',
      stripPrefix: false,
      targets: [
        {target: 'http://localhost:9090', healthy: true, active: 0, requests: 3, weight: 3},
        {target: 'http://localhost:9091', healthy: false, active: 0, requests: 0, weight: 1},
      ],
    },
  ],
};

let id = 0;
function req(path: string, extra: Partial<RequestEvent> = {}): RequestEvent {
  return {
    type: 'request',
    id: ++id,
    time: Date.now(),
    method: 'GET',
    host: 'app.localhost',
    path,
    status: 200,
    duration: 12,
    bytes: 100,
    target: 'http://localhost:5173',
    route: 'app.localhost',
    protocol: 'h2',
    ...extra,
  };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function mount(events: RequestEvent[] = []) {
  const model = new DashModel({throttleMs: 5});
  model.setStatus(status);
  for (const e of events) model.push(e);
  const app = render(<App model={model} trust="trusted" />);
  cleanup = () => {
    app.unmount();
    model.dispose();
  };
  return {model, ...app, ...screen(app)};
}

describe('the dashboard', () => {
  it('shows the proxy, each route with its instances and health, and the live requests', async () => {
    const {shows} = mount([
      req('/'),
      req('/api/users', {route: 'app.localhost/api', target: 'http://localhost:9090', method: 'POST', status: 201, protocol: 'h1'}),
      req('/boom', {status: 502, error: 'ECONNREFUSED'}),
    ]);
    const frame = await shows('app.localhost/boom');
    expect(frame).toMatch(/portico https:\/\/localhost:1443 · up 1m \d+s · pid 4242 · CA trusted/);
    expect(frame).toContain('https://app.localhost:1443/api');
    expect(frame).toMatch(/● localhost:9090 ×3 \(0 active\)/);
    expect(frame).toMatch(/○ localhost:9091/);
    expect(frame).toMatch(/GET\s+200 app\.localhost\/\s/);
    expect(frame).toMatch(/POST\s+201 app\.localhost\/api\/users\s+12ms localhost:9090\s+h1/);
    expect(frame).toMatch(/502 app\.localhost\/boom/);
  });

  it('filters the log by text after /', async () => {
    const {lastFrame, shows, press} = mount([req('/home'), req('/api/users'), req('/about')]);
    await shows('app.localhost/about');
    await press('/');
    await press('api');
    await shows('filter: api');
    expect(lastFrame()).toMatch(/filter: api/);
    await press('\r');
    const frame = await shows('/ filter (api)');
    expect(frame).toContain('app.localhost/api/users');
    expect(frame).not.toContain('app.localhost/home');
    expect(frame).not.toContain('app.localhost/about');
    expect(frame).toMatch(/\/ filter \(api\)/);
  });

  it("opens a request's detail with its headers, and esc goes back", async () => {
    const {lastFrame, shows, press} = mount([
      req('/one'),
      req('/two', {requestHeaders: {'user-agent': 'curl/8', accept: '*/*'}, responseHeaders: {'content-type': 'text/html'}}),
    ]);
    await shows('app.localhost/two');
    await press('\u001B[A');
    await press('\r');
    const frame = await shows('Request headers');
    expect(frame).toContain('Request headers');
    expect(frame).toContain('user-agent: curl/8');
    expect(frame).toContain('content-type: text/html');
    expect(frame).toMatch(/target http:\/\/localhost:5173/);
    await press('\u001B');
    // The list's footer is back: the detail is gone.
    await shows('q quit');
    expect(lastFrame()).not.toContain('Request headers');
    expect(lastFrame()).toContain('app.localhost/two');
  });

  it('marks the selected row with a sign when the terminal has no colour (reverse video is not drawn then)', async () => {
    const level = chalk.level;
    chalk.level = 0;
    try {
      const {lastFrame, shows, press} = mount([req('/one'), req('/two')]);
      await shows('app.localhost/two');
      expect(lastFrame()).not.toContain('›');
      await press('\u001B[A');
      const frame = await shows(/^› .*app\.localhost\/two/m);
      expect(frame).not.toMatch(/^› .*app\.localhost\/one/m);
      await press('\u001B[A');
      await shows(/^› .*app\.localhost\/one/m);
    } finally {
      chalk.level = level;
    }
  });

  it('stops adding lines while paused and shows them on resume', async () => {
    const {lastFrame, shows, press, model} = mount([req('/before')]);
    await shows('app.localhost/before');
    await press('p');
    await shows('PAUSED');
    model.push(req('/during'));
    await shows('PAUSED (1 new)');
    expect(lastFrame()).toMatch(/PAUSED \(1 new\)/);
    expect(lastFrame()).not.toContain('app.localhost/during');
    await press('p');
    await shows('app.localhost/during');
    expect(lastFrame()).toContain('app.localhost/during');
  });

  it('toggles the help with ? and clears the log with c', async () => {
    const {lastFrame, shows, press} = mount([req('/x')]);
    await shows('app.localhost/x');
    await press('?');
    await shows('Keys');
    expect(lastFrame()).toMatch(/Keys[\s\S]*pause \/ resume the log/);
    await press(' ');
    await press('c');
    await shows('Waiting for requests');
    expect(lastFrame()).toContain('Waiting for requests');
  });
});

describe('the model under load', () => {
  it('keeps memory bounded and notifies at most about 10 times a second', async () => {
    const model = new DashModel({capacity: 100});
    let changes = 0;
    let shown: string | undefined;
    model.on('change', () => {
      changes++;
      shown = model.view().log.at(-1)?.path;
    });
    const start = Date.now();
    for (let i = 0; i < 20_000; i++) model.push(req(`/r${i}`));
    // The throttled notification (throttleMs 200 by default) that delivers the last request.
    await waitFor(() => shown === '/r19999', {
      what: 'a change notification showing /r19999',
      detail: () => `${changes} notifications, the last showing ${shown}`,
    });
    expect(model.view().log).toHaveLength(100);
    expect(model.view().log.at(-1)!.path).toBe('/r19999');
    expect(changes).toBeLessThanOrEqual(Math.ceil((Date.now() - start) / 100) + 1);
    expect(model.view().total.count).toBe(20_000);
    model.dispose();
  });
});
