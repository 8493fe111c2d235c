import {defineConfig} from 'vitest/config';
import {TEST_TIMEOUT} from './test/helpers/wait.js';

// The reliability suite: hostile input, faults, a fuzzer, load and a soak. Slower than `npm test`;
// bounded in time and count, loopback only. Run with `npm run test:reliability`.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    // Hang bounds only: the fuzzer and the soak run for minutes on a loaded machine.
    testTimeout: 3 * TEST_TIMEOUT,
    hookTimeout: TEST_TIMEOUT,
    pool: 'forks',
    fileParallelism: false,
    env: {NODE_EXTRA_CA_CERTS: '', SSL_CERT_FILE: '', CURL_CA_BUNDLE: '', PORTICO_NO_SETUP: '1'},
  },
});
