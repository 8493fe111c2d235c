import type {CopyGroup} from '../routes/copies.js';
import {routeUrl} from '../routes/url.js';
import {escapeHtml, page} from './pages.js';

/** Reserved on every stable host of a copied app (README "Copies of an app"). */
export const USE_PATH = '/.portico/use/';
export const LIST_PATH = '/.portico/copies';

/** The copies of an app with a link that switches this browser to each (README "Copies of an app"). */
function copyList(group: CopyGroup, current: string | undefined, port: number): string {
  const items = group.members.map((m) => {
    const marks = [m.name === group.serving ? 'served by default' : '', m.name === current ? 'this browser' : ''].filter(Boolean).join(', ');
    const where = [m.branch ? `branch <code>${escapeHtml(m.branch)}</code>` : '', m.dir ? `<code>${escapeHtml(m.dir)}</code>` : ''].filter(Boolean).join(' · ');
    return `<li><a href="${USE_PATH}${escapeHtml(m.name)}"><b>${escapeHtml(m.name)}</b></a>${marks ? ` (${marks})` : ''}${where ? ` — ${where}` : ''} · own address <a href="${escapeHtml(routeUrl(m.address, '/', port))}">${escapeHtml(routeUrl(m.address, '/', port))}</a></li>`;
  });
  return `<ul>${items.join('')}</ul>`;
}

/** 200: the copies page of a stable host, `/.portico/copies`. */
export function copiesPage(group: CopyGroup, current: string | undefined, port: number): string {
  return page(
    200,
    `Copies of ${group.stable}`,
    `<p><code>${escapeHtml(group.stable)}</code> serves one of these copies; a link switches this browser to it.</p>${copyList(group, current, port)}`,
  );
}

/** 404: a copy name that is not one of the app's copies. Never another route. */
export function unknownCopyPage(group: CopyGroup, name: string, port: number): string {
  return page(
    404,
    'No such copy',
    `<p><code>${escapeHtml(group.stable)}</code> has no copy named <code>${escapeHtml(name)}</code>. Its copies:</p>${copyList(group, undefined, port)}`,
  );
}

/** 404: the chosen copy serves nothing under this path. */
export function copyHasNoRoutePage(group: CopyGroup, name: string, path: string, port: number): string {
  return page(
    404,
    'No route in this copy',
    `<p>The copy <code>${escapeHtml(name)}</code> of <code>${escapeHtml(group.stable)}</code> serves nothing under <code>${escapeHtml(path)}</code>. Its copies:</p>${copyList(group, name, port)}`,
  );
}
