#!/usr/bin/env node
// `npm run e2e:setup`: install the cached real-VS-Code test environment and print where it is.
import { ensureCodeServer, findChromium, cacheDir } from './lib/e2eEnv.mjs';
try {
  const env = await ensureCodeServer();
  console.log(JSON.stringify({ cache: cacheDir(), ...env, chromium: findChromium() }, null, 2));
} catch (e) {
  console.error(`e2e-env: ${e.message}`);
  process.exit(2);
}
