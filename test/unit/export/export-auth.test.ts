import {describe, expect, it} from 'vitest';
import {CADDY_HASH_PLACEHOLDER, renderCaddyfile} from '../../../src/export/caddy.js';
import {renderGateway} from '../../../src/export/gateway.js';
import {renderNginx} from '../../../src/export/nginx.js';
import type {AuthOption, Route} from '../../../src/routes/types.js';
import {RENDER, plan} from './export-fixtures.js';

const HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U';

function gated(auth: AuthOption): Route {
  return {host: 'app.localhost', path: '/admin', targets: [{url: 'http://localhost:4000'}], strategy: 'round-robin', stripPrefix: false, options: {auth}};
}

describe('exporting an access gate', () => {
  it('writes nginx auth_basic with a user file to make with htpasswd, drops Authorization before the backend, and never the scrypt hash', () => {
    const {text, notes} = renderNginx(plan([gated({kind: 'basic', user: 'admin', hash: HASH})]), RENDER);
    expect(text).toContain('auth_basic "portico app.localhost/admin";');
    expect(text).toContain('auth_basic_user_file /etc/nginx/portico-app_admin.htpasswd;');
    expect(text).toContain('proxy_set_header Authorization "";');
    expect(text).not.toContain('scrypt$');
    expect(notes).toContainEqual(expect.objectContaining({feature: 'auth basic:admin', detail: expect.stringMatching(/htpasswd -c FILE admin/)}));
  });

  it('writes Caddy basicauth with a locked placeholder and a warning that the hash must be regenerated', () => {
    const {text, notes} = renderCaddyfile(plan([gated({kind: 'basic', user: 'admin', hash: HASH})]), RENDER);
    expect(text).toMatch(
      new RegExp(`basicauth \\{\\n\\t+# replace with: caddy hash-password[^\\n]*\\n\\t+\\x60admin\\x60 ${CADDY_HASH_PLACEHOLDER.replace(/[$.]/g, '\\$&')}\\n`),
    );
    expect(text).not.toContain('scrypt$');
    expect(notes).toContainEqual(expect.objectContaining({feature: 'auth basic:admin', detail: expect.stringMatching(/caddy hash-password/)}));
  });

  it('says a token gate and a Kubernetes gate are not exported', () => {
    expect(renderNginx(plan([gated({kind: 'token', hash: 'x'.repeat(43)})]), RENDER).notes).toContainEqual(expect.objectContaining({feature: 'auth token'}));
    expect(renderGateway(plan([gated({kind: 'basic', user: 'admin', hash: HASH})]), RENDER).notes).toContainEqual(
      expect.objectContaining({feature: 'auth basic:admin', detail: expect.stringMatching(/^not exported/)}),
    );
  });
});
