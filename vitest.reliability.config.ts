import {defineConfig} from 'vitest/config';

// The reliability suite: hostile input, faults, a fuzzer, load and a soak. Slower than `npm test`;
// bounded in time and count, loopback only. Run with `npm run test:reliability`.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    env: {NODE_EXTRA_CA_CERTS: '', SSL_CERT_FILE: '', CURL_CA_BUNDLE: ''},
  },
});
