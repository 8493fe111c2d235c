import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {TIMEOUT} from './wait.js';

export const CHROMIUM = '/usr/bin/chromium';

/** What Chromium's own DevTools made of one HAR entry (SDK.NetworkRequest). */
export interface ImportedRequest {
  url: string;
  method: string;
  status: number;
  mimeType: string;
  requestBody: string | null;
  responseBody: string | null;
}

/**
 * Load a HAR file the way Chromium's DevTools does when a developer drops it on the Network panel:
 * headless Chromium opens its bundled DevTools front end and runs its HAR importer
 * (`models/har`: HARRoot, then Importer.requestsFromHARLog) on the text. Talks CDP over the
 * DevToolsActivePort Chromium writes (remote debugging on 127.0.0.1, a free port).
 */
export async function importHarInDevTools(harText: string): Promise<ImportedRequest[]> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'portico-devtools-'));
  const child = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    {stdio: 'ignore', detached: true},
  );
  try {
    const portFile = path.join(profile, 'DevToolsActivePort');
    for (
      const deadline = Date.now() + TIMEOUT.browser;
      !existsSync(portFile) || readFileSync(portFile, 'utf8').split('\n').length < 2;
      await new Promise((r) => setTimeout(r, 100))
    ) {
      if (Date.now() > deadline) throw new Error(`Chromium did not open its DevTools port within ${TIMEOUT.browser} ms`);
    }
    const [port, browserPath] = readFileSync(portFile, 'utf8').split('\n');
    const ws = new WebSocket(`ws://127.0.0.1:${port}${browserPath}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let next = 0;
    const pending = new Map<number, (message: {result?: Record<string, unknown>; error?: {message: string}}) => void>();
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as {id?: number; result?: Record<string, unknown>; error?: {message: string}};
      if (message.id !== undefined) pending.get(message.id)?.(message);
    });
    const call = (method: string, params: object = {}, sessionId?: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const id = ++next;
        pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result ?? {})));
        ws.send(JSON.stringify({id, method, params, ...(sessionId ? {sessionId} : {})}));
      });
    try {
      const {targetId} = (await call('Target.createTarget', {url: 'devtools://devtools/bundled/devtools_app.html'})) as {targetId: string};
      const {sessionId} = (await call('Target.attachToTarget', {targetId, flatten: true})) as {sessionId: string};
      const expression = `(async () => {
        const HAR = await import('./models/har/har.js');
        const root = new HAR.HARFormat.HARRoot(JSON.parse(${JSON.stringify(harText)}));
        const requests = HAR.Importer.Importer.requestsFromHARLog(root.log);
        return JSON.stringify(await Promise.all(requests.map(async (r) => {
          const content = await r.requestContentData();
          return {url: r.url(), method: r.requestMethod, status: r.statusCode, mimeType: r.mimeType, requestBody: await r.requestFormData(), responseBody: 'text' in content ? content.text : null};
        })));
      })()`;
      // The front end loads its modules after the target opens: retry until the importer is there.
      for (const deadline = Date.now() + TIMEOUT.browser; ; await new Promise((r) => setTimeout(r, 250))) {
        const result = (await call('Runtime.evaluate', {expression, awaitPromise: true, returnByValue: true}, sessionId)) as {
          result: {value?: string};
          exceptionDetails?: {text: string; exception?: {description?: string}};
        };
        if (!result.exceptionDetails) return JSON.parse(result.result.value!) as ImportedRequest[];
        if (Date.now() > deadline)
          throw new Error(`DevTools' HAR importer failed: ${result.exceptionDetails.exception?.description ?? result.exceptionDetails.text}`);
      }
    } finally {
      ws.close();
    }
  } finally {
    // Chromium's helpers (zygote, renderers) are in the group it leads: end them all, then its profile.
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    await exited;
    // Its helpers may still be closing files in the profile: rmSync retries ENOTEMPTY/EBUSY.
    rmSync(profile, {recursive: true, force: true, maxRetries: 20, retryDelay: 100});
  }
}
