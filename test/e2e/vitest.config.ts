import { defineConfig } from 'vitest/config';

// End-to-end: a real VS Code (code-server) driven by Playwright in Debian's Chromium.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/globalSetup.ts'],
    environment: 'node',
    fileParallelism: false, // one VS Code at a time on a 2-core machine
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
