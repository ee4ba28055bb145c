#!/usr/bin/env node
// `npm run test:electron`: the host checks inside a downloaded desktop VS Code, through
// @vscode/test-electron. Needs the internet to download VS Code; the suite that must pass
// offline is the code-server one in `npm test`.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';

const root = new URL('../..', import.meta.url).pathname;
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const workspace = mkdtempSync(join(tmpdir(), 'runreel-electron-ws-'));
cpSync(join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });

try {
  await runTests({
    version: '1.139.1',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'test', 'electron', 'suite.cjs'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (err) {
  const message = String(err?.message ?? err);
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo|download/i.test(message)) {
    console.error(`test:electron: could not download VS Code (${message}).\nThis needs the internet; offline, run \`npm test\`, which uses code-server.`);
    process.exit(2);
  }
  console.error(`test:electron: failed: ${message}`);
  process.exit(1);
}
