import {EventEmitter} from 'node:events';
import {gzipSync} from 'node:zlib';
import {render as inkRender} from 'ink';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import type {ReplayResult, Status} from '../../../src/daemon/protocol.js';
import {BodyRecorder, type CapturedBody, type ExchangeCapture} from '../../../src/traffic/capture.js';
import type {RequestEvent} from '../../../src/traffic/event.js';
import type {DashActions} from '../../../src/ui/actions.js';
import {App} from '../../../src/ui/App.js';
import {DashModel} from '../../../src/ui/model.js';
import {screen} from '../../helpers/ink.js';
import {waitFor} from '../../helpers/wait.js';

const target = (port: number, healthy = true, lastError?: string) => ({
  target: `http://localhost:${port}`,
  healthy,
  active: 0,
  requests: 0,
  weight: 1,
  ...(lastError ? {lastError} : {}),
});
function status(routes = 2, down = false): Status {
  return {
    version: '0.1.0',
    pid: 4242,
    port: 1443,
    startedAt: Date.now() - 5000,
    ca: '/ca.pem',
    notices: [],
    routes: Array.from({length: routes}, (_, i) => ({
      host: `app${i}.localhost`,
      path: '/',
      url: `https://app${i}.localhost:1443/`,
      strategy: 'round-robin' as const,
      stripPrefix: false,
      targets: [target(5170 + i, !(down && i === 0), down && i === 0 ? 'ECONNREFUSED' : undefined)],
    })),
  };
}

let id = 0;
function req(path: string, extra: Partial<RequestEvent> = {}): RequestEvent {
  return {
    type: 'request',
    id: ++id,
    time: Date.now(),
    method: 'GET',
    host: 'api.localhost',
    path,
    status: 200,
    duration: 12,
    bytes: 100,
    target: 'http://localhost:9090',
    route: 'api.localhost',
    protocol: 'h2',
    ...extra,
  };
}

/** A body as a capture read from the daemon carries it. */
function body(data: Buffer | string): CapturedBody {
  const r = new BodyRecorder();
  r.add(Buffer.from(data));
  const kept = r.finish();
  return {size: kept.size, truncated: kept.truncated, base64: Buffer.concat(kept.chunks).toString('base64')};
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

interface Recorded {
  used: string[];
  replayed: number[];
  copied: string[];
  har: RequestEvent[][];
}

function mount(events: RequestEvent[], captures: ExchangeCapture[] = [], s: Status = status()) {
  const recorded: Recorded = {used: [], replayed: [], copied: [], har: []};
  const actions: DashActions = {
    exchange: async (n) => {
      const c = captures.find((x) => x.id === n);
      if (!c) throw new Error(`Request ${n} was not captured`);
      return c;
    },
    replay: async (n): Promise<ReplayResult> => {
      recorded.replayed.push(n);
      return {of: n, status: 201, bytes: 11};
    },
    use: async (copy, app) => {
      recorded.used.push(`${copy} of ${app}`);
      return {stable: app, copy, url: `https://${copy}.${app}:1443/`, stableUrl: `https://${app}:1443/`};
    },
    copy: (text) => {
      recorded.copied.push(text);
      return false;
    },
    writeHar: async (e) => {
      recorded.har.push(e);
      return '/tmp/portico-test.har';
    },
  };
  const model = new DashModel({throttleMs: 5, actions});
  model.setStatus(s);
  for (const e of events) model.push(e);
  const app = render(<App model={model} trust="trusted" />);
  cleanup = () => {
    app.unmount();
    model.dispose();
  };
  return {model, recorded, ...app, ...screen(app)};
}

const UP = '\u001B[A';

describe('the request detail', () => {
  it('shows timing, every attempt, protocols, and the pretty-printed JSON a POST sent and got back gzip-compressed', async () => {
    const post = req('/api/users', {method: 'POST', status: 201, captured: true, protocol: 'h2'});
    const capture: ExchangeCapture = {
      id: post.id,
      started: post.time,
      method: 'POST',
      host: 'api.localhost',
      url: '/api/users',
      clientProtocol: 'h2',
      backendProtocol: 'http/1.1',
      source: 'backend',
      requestHeaders: {':authority': 'api.localhost:1443', 'content-type': 'application/json'},
      requestBody: body('{"name":"Ada","admin":false}'),
      status: 201,
      responseHeaders: {'content-type': 'application/json', 'content-encoding': 'gzip'},
      responseBody: body(gzipSync('{"id":7,"name":"Ada"}')),
      timing: {picked: 0, connected: 3, sent: 4, firstByte: 9, end: 12},
      attempts: [
        {target: 'http://localhost:9091', at: 0, error: 'ECONNREFUSED'},
        {target: 'http://localhost:9090', at: 1},
      ],
      notes: [],
    };
    const {shows, press} = mount([req('/before'), post], [capture]);
    await shows('api.localhost/api/users');
    await press(UP);
    await press('\r');
    // The detail is taller than the screen: page through it with space, as a user would.
    let frame = await shows('Timing');
    for (let i = 0; i < 4 && !frame.includes('"id": 7'); i++) frame += await press(' ');
    expect(frame).toContain('POST api.localhost/api/users  201 Created');
    expect(frame).toContain('Protocol client HTTP/2 → backend http/1.1');
    expect(frame).toMatch(/Timing\s+wait for instance 0ms · connect 3ms · first byte 9ms · total 12ms/);
    expect(frame).toContain('1. localhost:9091 at +0ms: ECONNREFUSED');
    expect(frame).toContain('2. localhost:9090 at +1ms: answered');
    expect(frame).toContain('Request body (application/json, 28 B)');
    expect(frame).toContain('"admin": false');
    expect(frame).toContain('Response body (application/json, ');
    expect(frame).toContain('gzip, decoded');
    expect(frame).toContain('"id": 7');
  });

  it('shows the bytes and headers of a page portico answered itself', async () => {
    const page = req('/missing', {host: 'nothing.localhost', status: 404, captured: true, target: undefined, route: undefined, error: 'no route'});
    const html = '<!doctype html><h1>404 · No route</h1>';
    const capture: ExchangeCapture = {
      id: page.id,
      started: page.time,
      method: 'GET',
      host: 'nothing.localhost',
      url: '/missing',
      clientProtocol: 'h2',
      source: 'portico',
      requestHeaders: {':authority': 'nothing.localhost:1443'},
      status: 404,
      responseHeaders: {'content-type': 'text/html; charset=utf-8', 'content-length': String(html.length)},
      responseBody: body(html),
      timing: {end: 1},
      attempts: [],
      notes: [],
    };
    const {lastFrame, shows, press} = mount([page], [capture]);
    await shows('nothing.localhost/missing');
    await press(UP);
    await press('\r');
    await shows('Response body');
    expect(lastFrame()).toContain('answered by portico');
    expect(lastFrame()).toContain(`content-length: ${html.length}`);
    expect(lastFrame()).toContain('<h1>404 · No route</h1>');
  });

  it('says so when a request was not captured, and still shows its headers', async () => {
    const {lastFrame, shows, press} = mount([req('/old', {requestHeaders: {'user-agent': 'curl/8'}})]);
    await shows('api.localhost/old');
    await press(UP);
    await press('\r');
    await shows('esc back');
    expect(lastFrame()).toContain('Bodies and timing were not captured for this request');
    expect(lastFrame()).toContain('user-agent: curl/8');
  });
});

describe('replay, curl and HAR keys', () => {
  it('replays the selected request with r and says what came back', async () => {
    const {lastFrame, shows, press, recorded} = mount([req('/one'), req('/two', {method: 'PUT'})]);
    await shows('api.localhost/two');
    await press(UP);
    await press('r');
    await shows('Replayed');
    expect(recorded.replayed).toEqual([id]);
    expect(lastFrame()).toContain(`Replayed #${id}: 201 (11 bytes); it is the newest entry.`);
  });

  it('copies the selected request as a curl command with y, and shows it when the terminal cannot take it', async () => {
    const {shows, press, recorded} = mount([req('/search?q=a b', {requestHeaders: {':authority': 'api.localhost:1443', accept: 'text/html'}})]);
    await shows('api.localhost/search?q=a b');
    await press(UP);
    await press('y');
    await waitFor(() => recorded.copied.length > 0, {what: 'the curl command to be copied'});
    expect(recorded.copied).toEqual(["curl --http2 --cacert /ca.pem 'https://api.localhost:1443/search?q=a b' -H 'accept: text/html'"]);
    await shows('curl command: curl --http2');
  });

  it('serves the copy of an app that served the selected request at its stable address with u, and gives its switch link', async () => {
    const {shows, press, recorded} = mount([
      req('/cart', {host: 'shop.localhost', route: 'fix-login.shop.localhost', notes: ['copy: fix-login']}),
      req('/plain'),
    ]);
    await shows('api.localhost/plain');
    await press(UP);
    await press('u');
    await shows('not served by a copy');
    await press(UP);
    await press('u');
    await shows('now serves the copy fix-login');
    expect(recorded.used).toEqual(['fix-login of shop.localhost']);
    expect(recorded.copied).toEqual(['https://shop.localhost:1443/.portico/use/fix-login']);
  });

  it('writes the requests shown as HAR with w', async () => {
    const {shows, press, recorded} = mount([req('/a'), req('/b', {status: 500})]);
    await shows('api.localhost/b');
    await press('/');
    await press('5xx');
    await press('\r');
    await shows('/ filter (5xx)');
    await press('w');
    await shows('Wrote 1 requests as HAR to /tmp/portico-test.har');
    expect(recorded.har[0]!.map((e) => e.path)).toEqual(['/b']);
  });
});

describe('filters', () => {
  it('reads 502 as a status, not as text in a path', async () => {
    const {lastFrame, shows, press} = mount([req('/orders/502'), req('/boom', {status: 502, error: 'ECONNREFUSED'})]);
    await shows('api.localhost/orders/502');
    await press('/');
    await press('502');
    await press('\r');
    await shows('/ filter (502)');
    expect(lastFrame()).toContain('api.localhost/boom');
    expect(lastFrame()).not.toContain('api.localhost/orders/502');
  });

  it('edits the filter correctly when keys and backspaces arrive in one chunk (a paste, fast typing)', async () => {
    const {lastFrame, shows, press} = mount([req('/api/users', {method: 'POST'}), req('/api/users')]);
    await shows(/POST\s+200 api\.localhost\/api\/users/);
    await press('/');
    await press('method:POSX\u007fT\u007f\u007fST');
    await shows('filter: method:');
    expect(lastFrame()).toContain('filter: method:POST');
    expect(lastFrame()).not.toContain('\u007f');
    await press('\r');
    await shows('/ filter (method:POST)');
    expect(lastFrame()).toMatch(/POST\s+200 api\.localhost\/api\/users/);
    expect(lastFrame()).not.toMatch(/GET\s+200 api\.localhost\/api\/users/);
  });

  it('refuses a status filter it cannot read and keeps the text for editing', async () => {
    const {lastFrame, shows, press} = mount([req('/x')]);
    await shows('api.localhost/x');
    await press('/');
    await press('status:abc');
    await press('\r');
    await shows('Invalid filter');
    expect(lastFrame()).toContain('Invalid filter `status:abc`: expected a status like 404, 5xx or 404,5xx.');
    expect(lastFrame()).toContain('filter: status:abc');
  });
});

describe('layout', () => {
  it('shows the health of targets now: a removed route vanishes and a recovery shows', async () => {
    const {lastFrame, shows, model} = mount([], [], status(2, true));
    await shows('localhost:5170 down');
    expect(lastFrame()).toContain('○ localhost:5170 down (ECONNREFUSED) · app0.localhost');
    model.push({type: 'health', time: Date.now(), route: 'app0.localhost', target: 'http://localhost:5170', healthy: true});
    model.setStatus(status(2, false));
    await shows('up again');
    expect(lastFrame()).not.toContain('down (ECONNREFUSED)');
    expect(lastFrame()).toContain('● localhost:5170 up again · app0.localhost');
    model.setStatus(status(1, true));
    model.setStatus({...status(1, false), routes: []});
    await shows('No routes yet');
    expect(lastFrame()).not.toContain('localhost:5170');
  });

  it('gives the error its full width instead of padding a short path with blanks', async () => {
    const {lastFrame, shows} = mount([req('/a', {status: 502, error: 'ECONNREFUSED'})]);
    await shows('api.localhost/a');
    expect(lastFrame()).toMatch(/502 api\.localhost\/a\s{1,3}12ms localhost:9090 h2 ECONNREFUSED/);
  });

  it('keeps at least 10 log lines at 80x24 by folding the routes panel, and t unfolds it', async () => {
    class Term extends EventEmitter {
      columns = 80;
      rows = 24;
      frames: string[] = [];
      frame = '';
      write = (f: string) => {
        this.frames.push(f);
        this.frame = f;
      };
    }
    class Keys extends EventEmitter {
      isTTY = true;
      data: string | null = null;
      setEncoding() {}
      setRawMode() {}
      resume() {}
      pause() {}
      ref() {}
      unref() {}
      read = () => {
        const d = this.data;
        this.data = null;
        return d;
      };
      write(d: string) {
        this.data = d;
        this.emit('readable');
        this.emit('data', d);
      }
    }
    const term = new Term();
    const keys = new Keys();
    const model = new DashModel({throttleMs: 5});
    model.setStatus(status(8));
    for (let i = 0; i < 30; i++) model.push(req(`/line-${i}`));
    const app = inkRender(<App model={model} trust="trusted" />, {
      stdout: term as unknown as NodeJS.WriteStream,
      stdin: keys as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    cleanup = () => {
      app.unmount();
      model.dispose();
    };
    const {shows, press} = screen({lastFrame: () => term.frame, frames: term.frames, stdin: keys});
    // The first frame is laid out before the App tells the model the terminal's size (in an effect).
    await shows((f) => f.split('\n').length <= 24, 'a frame that fits 24 rows');
    const lines = term.frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines.filter((l) => /api\.localhost\/line-/.test(l)).length).toBeGreaterThanOrEqual(10);
    expect(term.frame).toContain('8 routes · 8 instances · t shows the routes');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    await press('t');
    await shows('● localhost:5177 (0 active)');
  });
});
