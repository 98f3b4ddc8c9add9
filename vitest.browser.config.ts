import { defineConfig } from 'vitest/config';

// `npm run test:browser`: report.html in headless Chromium (Debian package `chromium`).
// Without Chromium these tests FAIL; they never skip.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
