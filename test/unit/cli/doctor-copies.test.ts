import net from 'node:net';
import {describe, expect, it} from 'vitest';
import {targetChecks} from '../../../src/cli/doctor-targets.js';

/** A loopback port nothing listens on: bound, read, closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('doctor on a copy whose server is down', () => {
  it('names the copy, its branch and app, and says the stable address serves it by default', async () => {
    const port = await closedPort();
    const copy = {name: 'fix-login', stable: 'shop.localhost', url: 'https://fix-login.shop.localhost/', branch: 'fix/login', serving: true};
    const [check] = await targetChecks([{host: 'fix-login.shop.localhost', path: '/', targets: [{url: `http://127.0.0.1:${port}`}], copy}]);
    expect(check!.ok).toBe(false);
    expect(check!.detail).toMatch(/^the copy fix-login \(branch fix\/login\) of shop\.localhost: nothing listens on 127\.0\.0\.1 port \d+/);
    expect(check!.fix).toContain(
      'https://shop.localhost serves this copy by default, so every client that picked no copy gets a 502 meanwhile: serve another with `portico use <copy>`',
    );
  });

  it('says only the copy and browsers switched to it are affected when the stable address serves another', async () => {
    const port = await closedPort();
    const copy = {name: 'fix-login', stable: 'shop.localhost', url: 'https://fix-login.shop.localhost/', serving: false};
    const [check] = await targetChecks([{host: 'fix-login.shop.localhost', path: '/', targets: [{url: `http://127.0.0.1:${port}`}], copy}]);
    expect(check!.fix).toContain(
      'Its own address https://fix-login.shop.localhost/ and browsers that switched to it get a 502 meanwhile; others are not affected.',
    );
  });
});
