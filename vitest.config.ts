import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  define: { __RUNREEL_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
  },
});
