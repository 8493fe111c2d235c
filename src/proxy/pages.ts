/** HTML pages portico answers with itself. Small, escaped, no external resources, no actions. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The 502 page waits for the dev server: every second a HEAD of the same URL, and a reload as soon as
 * it is not a 502 any more. Inline and tiny, no external resources; without script, a meta refresh.
 */
export const RELOAD_WHEN_BACK = `<p class="s" id="w">Waiting for the backend; this page reloads itself when it answers.</p>
<script>(function poll(){setTimeout(function(){fetch(location.href,{method:'HEAD',cache:'no-store',redirect:'manual'}).then(function(r){if(r.status!==502)location.reload();else poll()},poll)},1000)})()</script>
<noscript><meta http-equiv="refresh" content="2"></noscript>`;

export function page(status: number, title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${status} ${escapeHtml(title)} · portico</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}li{margin:.2rem 0}
.s{color:#888;font-size:.85rem;margin-top:2rem}</style></head>
<body><h1>${status} · ${escapeHtml(title)}</h1>
${body}
<p class="s">portico local development proxy</p></body></html>
`;
}

export interface RouteLink {
  url: string;
  targets: string[];
}

export function unknownHostPage(host: string, routes: readonly RouteLink[]): string {
  const list =
    routes.length === 0
      ? '<p>No routes yet. Add one with <code>portico add app.localhost 5173</code>.</p>'
      : `<p>Routes portico serves:</p><ul>${routes
          .map((r) => `<li><a href="${escapeHtml(r.url)}">${escapeHtml(r.url)}</a> → ${r.targets.map((t) => `<code>${escapeHtml(t)}</code>`).join(', ')}</li>`)
          .join('')}</ul>`;
  return page(
    404,
    'No route',
    `<p>portico has no route for <code>${escapeHtml(host)}</code>.</p>${list}
<p>Add one: <code>portico add ${escapeHtml(host || 'app.localhost')} &lt;port&gt;</code></p>`,
  );
}

export interface FailedTarget {
  target: string;
  error: string;
}

export function badGatewayPage(route: string, failures: readonly FailedTarget[]): string {
  const items = failures
    .map((f) => {
      const port = /:(\d+)$/.exec(f.target)?.[1];
      const hint = f.error === 'ECONNREFUSED' ? ` Nothing is listening there${port ? `: start your dev server on port ${port}` : ''}.` : '';
      return `<li><code>${escapeHtml(f.target)}</code>: ${escapeHtml(f.error)}.${escapeHtml(hint)}</li>`;
    })
    .join('');
  return page(
    502,
    'Backend unavailable',
    `<p>portico could not reach the backend of <code>${escapeHtml(route)}</code>.</p>
<ul>${items}</ul>
<p>Start it, or change the route: <code>portico rm ${escapeHtml(route)}</code> / <code>portico add ${escapeHtml(route)} &lt;port&gt; --replace</code>.</p>
${RELOAD_WHEN_BACK}`,
  );
}

export function timeoutPage(route: string, target: string, seconds: number): string {
  return page(
    504,
    'Backend timeout',
    `<p>The backend <code>${escapeHtml(target)}</code> of <code>${escapeHtml(route)}</code> accepted the request but sent no response within ${seconds} s.</p>`,
  );
}

export function loopPage(host: string): string {
  return page(
    508,
    'Loop detected',
    `<p>This request for <code>${escapeHtml(host)}</code> came back through portico: a route's target points at portico itself.</p>
<p>Point the route at your dev server's own port: <code>portico ls</code> shows the targets.</p>`,
  );
}

export function badRequestPage(reason: string): string {
  return page(
    400,
    'Bad request',
    `<p>${escapeHtml(reason)}</p><p>portico is a reverse proxy for names under <code>.localhost</code>, never a forward proxy.</p>`,
  );
}
