import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import type {Status} from '../../../src/daemon/protocol.js';
import type {RequestEvent} from '../../../src/traffic/event.js';
import {App} from '../../../src/ui/App.js';
import {DashModel} from '../../../src/ui/model.js';

const status: Status = {
  version: '0.1.0',
  pid: 4242,
  port: 1443,
  startedAt: Date.now() - 65_000,
  ca: '/home/me/.portico/ca.pem',
  notices: [],
  routes: [
    {host: 'app.localhost', path: '/', url: 'https://app.localhost:1443/', strategy: 'round-robin', stripPrefix: false, targets: [{target: 'http://localhost:5173', healthy: true, active: 1, requests: 10}]},
    {host: 'app.localhost', path: '/api', url: 'https://app.localhost:1443/api', strategy: 'least-conn', stripPrefix: false, targets: [{target: 'http://localhost:9090', healthy: true, active: 0, requests: 3}, {target: 'http://localhost:9091', healthy: false, active: 0, requests: 0}]},
  ],
};

let id = 0;
function req(path: string, extra: Partial<RequestEvent> = {}): RequestEvent {
  return {type: 'request', id: ++id, time: Date.now(), method: 'GET', host: 'app.localhost', path, status: 200, duration: 12, bytes: 100, target: 'http://localhost:5173', route: 'app.localhost', protocol: 'h2', ...extra};
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
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
  return {model, ...app};
}

describe('the dashboard', () => {
  it('shows the proxy, each route with its instances and health, and the live requests', async () => {
    const {lastFrame} = mount([req('/'), req('/api/users', {route: 'app.localhost/api', target: 'http://localhost:9090', method: 'POST', status: 201, protocol: 'h1'}), req('/boom', {status: 502, error: 'ECONNREFUSED'})]);
    await tick();
    const frame = lastFrame()!;
    expect(frame).toMatch(/portico https:\/\/localhost:1443 · up 1m \d+s · pid 4242 · CA trusted/);
    expect(frame).toContain('https://app.localhost:1443/api');
    expect(frame).toMatch(/● localhost:9090/);
    expect(frame).toMatch(/○ localhost:9091/);
    expect(frame).toMatch(/GET\s+200 app\.localhost\/\s/);
    expect(frame).toMatch(/POST\s+201 app\.localhost\/api\/users\s+12ms localhost:9090\s+h1/);
    expect(frame).toMatch(/502 app\.localhost\/boom/);
  });

  it('filters the log by text after /', async () => {
    const {lastFrame, stdin} = mount([req('/home'), req('/api/users'), req('/about')]);
    await tick();
    stdin.write('/');
    await tick();
    stdin.write('api');
    await tick();
    expect(lastFrame()).toMatch(/filter: api/);
    stdin.write('\r');
    await tick();
    const frame = lastFrame()!;
    expect(frame).toContain('app.localhost/api/users');
    expect(frame).not.toContain('app.localhost/home');
    expect(frame).not.toContain('app.localhost/about');
    expect(frame).toMatch(/\/ filter \(api\)/);
  });

  it('opens a request\'s detail with its headers, and esc goes back', async () => {
    const {lastFrame, stdin} = mount([req('/one'), req('/two', {requestHeaders: {'user-agent': 'curl/8', accept: '*/*'}, responseHeaders: {'content-type': 'text/html'}})]);
    await tick();
    stdin.write('\u001B[A');
    await tick();
    stdin.write('\r');
    await tick();
    const frame = lastFrame()!;
    expect(frame).toContain('Request headers');
    expect(frame).toContain('user-agent: curl/8');
    expect(frame).toContain('content-type: text/html');
    expect(frame).toMatch(/target http:\/\/localhost:5173/);
    stdin.write('\u001B');
    await tick(80);
    expect(lastFrame()).not.toContain('Request headers');
    expect(lastFrame()).toContain('app.localhost/two');
  });

  it('stops adding lines while paused and shows them on resume', async () => {
    const {lastFrame, stdin, model} = mount([req('/before')]);
    await tick();
    stdin.write('p');
    await tick();
    model.push(req('/during'));
    await tick();
    expect(lastFrame()).toMatch(/PAUSED \(1 new\)/);
    expect(lastFrame()).not.toContain('app.localhost/during');
    stdin.write('p');
    await tick();
    expect(lastFrame()).toContain('app.localhost/during');
  });

  it('toggles the help with ? and clears the log with c', async () => {
    const {lastFrame, stdin} = mount([req('/x')]);
    await tick();
    stdin.write('?');
    await tick();
    expect(lastFrame()).toMatch(/Keys[\s\S]*pause \/ resume the log/);
    stdin.write(' ');
    await tick();
    stdin.write('c');
    await tick();
    expect(lastFrame()).toContain('Waiting for requests');
  });
});

describe('the model under load', () => {
  it('keeps memory bounded and notifies at most about 10 times a second', async () => {
    const model = new DashModel({capacity: 100});
    let changes = 0;
    model.on('change', () => changes++);
    const start = Date.now();
    for (let i = 0; i < 20_000; i++) model.push(req(`/r${i}`));
    await tick(250);
    expect(model.view().log).toHaveLength(100);
    expect(model.view().log.at(-1)!.path).toBe('/r19999');
    expect(changes).toBeLessThanOrEqual(Math.ceil((Date.now() - start) / 100) + 1);
    expect(model.view().total.count).toBe(20_000);
    model.dispose();
  });
});
