import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { wasmBytes } from './scripts/lib/wasm.mjs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  plugins: [{
    // `import bytes from '…/wasm/name.wasm'`: the module compiled from wasm/name.ts, as in esbuild.
    name: 'wasm-modules',
    enforce: 'pre',
    resolveId: (id, importer) => (id.endsWith('.wasm') && importer ? resolve(dirname(importer), id) : undefined),
    load: async (id) => (id.endsWith('.wasm') ? `export default new Uint8Array(Buffer.from(${JSON.stringify((await wasmBytes(id)).toString('base64'))}, 'base64'));` : undefined),
  }],
  define: { __RUNREEL_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    // File watching, worker threads and ffmpeg on a loaded 2-core CI machine need headroom;
    // the tests' own waits (and the fuzz tests' time bounds) are the real assertions.
    testTimeout: 20_000,
  },
});
