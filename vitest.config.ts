import {defineConfig} from 'vitest/config';
import {TEST_TIMEOUT} from './test/helpers/wait.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // test/reliability has its own, slower run: `npm run test:reliability`.
    exclude: ['test/reliability/**', 'node_modules/**'],
    // Only a bound on a hang, never a measurement: above every step's own timeout (test/helpers/wait.ts),
    // so a slow step fails with its own message and its cleanup still runs.
    testTimeout: TEST_TIMEOUT,
    hookTimeout: TEST_TIMEOUT,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // Never let the machine's own CA settings leak into a test's trust decisions.
    // PORTICO_NO_SETUP: `npm test` builds first; a CLI started by a test never rebuilds the clone under
    // the others (bin/setup.js). test/e2e/cli/first-run.test.ts turns it back on for its fresh clone.
    env: {NODE_EXTRA_CA_CERTS: '', SSL_CERT_FILE: '', CURL_CA_BUNDLE: '', PORTICO_NO_SETUP: '1'},
  },
});
