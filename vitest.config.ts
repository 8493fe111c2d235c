import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // test/reliability has its own, slower run: `npm run test:reliability`.
    exclude: ['test/reliability/**', 'node_modules/**'],
    // End-to-end suites start real daemons and browsers; give them room on a 2-core box.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // Never let the machine's own CA settings leak into a test's trust decisions.
    env: {NODE_EXTRA_CA_CERTS: '', SSL_CERT_FILE: '', CURL_CA_BUNDLE: ''},
  },
});
