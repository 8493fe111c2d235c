import {Readable} from 'node:stream';
import type {ExchangeResponse} from '../pipeline/exchange.js';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function answer(status: number, headers: Record<string, string>, text: string): ExchangeResponse {
  return {
    status,
    headers: {...headers, 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store'},
    body: Readable.from(text === '' ? [] : [Buffer.from(text)]),
    source: 'portico',
  };
}

/** 401 for a Basic route: the browser asks for the user and password itself. */
export function basicChallenge(route: string): ExchangeResponse {
  return answer(
    401,
    {'content-type': 'text/plain; charset=utf-8', 'www-authenticate': `Basic realm="portico ${route}", charset="UTF-8"`},
    `401: ${route} is gated by portico (--auth basic): sign in with its user and password.\n`,
  );
}

/** 401 for a token route: a small page to paste the token into (it comes back as ?portico_token=). */
export function tokenLoginPage(route: string, wrong: boolean): ExchangeResponse {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>401 Sign in · portico</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.4rem}button{font:inherit;margin-top:.6rem}</style></head>
<body><h1>${escape(route)} is gated</h1>
<p>${wrong ? '<strong>That token is not this route’s.</strong> ' : ''}Open the link <code>portico add … --auth token</code> printed, or paste its token:</p>
<form method="get"><input type="password" name="portico_token" autocomplete="off" autofocus aria-label="token"><button>Sign in</button></form>
</body></html>
`;
  return answer(401, {'content-type': 'text/html; charset=utf-8', 'www-authenticate': `Bearer realm="portico ${route}"`}, html);
}

/** 429 once a client has failed too often: no more checks (and no scrypt work) until the window ends. */
export function tooManyFailures(route: string, retryAfter: number): ExchangeResponse {
  return answer(
    429,
    {'content-type': 'text/plain; charset=utf-8', 'retry-after': String(retryAfter)},
    `429: too many failed sign-ins to ${route} from this address; retry after ${retryAfter} s.\n`,
  );
}

/** 303 to the same URL without the token, setting the cookie, so the token leaves the address bar and history. */
export function tokenAccepted(location: string, cookie: string): ExchangeResponse {
  return answer(303, {location, 'set-cookie': cookie}, '');
}
