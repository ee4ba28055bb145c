import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  define: { __RUNREEL_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    // File watching, worker threads and ffmpeg on a loaded 2-core CI machine need headroom;
    // the tests' own waits (and the fuzz tests' time bounds) are the real assertions.
    testTimeout: 20_000,
  },
});
