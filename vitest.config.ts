import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-browser check of report.html needs Chromium: `npm run test:browser`
    // (vitest.browser.config.ts). `npm test` checks the same HTML structurally.
    exclude: ['test/browser/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
