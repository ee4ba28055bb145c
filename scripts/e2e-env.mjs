#!/usr/bin/env node
// `node scripts/e2e-env.mjs`: install the cached real-VS-Code test environment and print where it is.
import { ensureCodeServer, findChromium, cacheDir } from './lib/e2eEnv.mjs';
try {
  const env = ensureCodeServer();
  console.log(JSON.stringify({ cache: cacheDir(), ...env, chromium: findChromium() }, null, 2));
} catch (e) {
  console.error(`e2e-env: ${e.message}`);
  process.exit(2);
}
