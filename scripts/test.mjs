#!/usr/bin/env node
// `npm test`: every check, in order, failing on the first broken stage:
//   1. type checks (host + webview tsconfigs; esbuild does not type-check)
//   2. unit tests (vitest, pure code), then the webview tests in a real browser
//   3. end-to-end tests in a real VS Code (code-server + Chromium), from the packaged VSIX
// A skipped or todo test fails the run: nothing is counted as passing without running.
//   --only unit|e2e   run one stage (type checks always run)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? process.argv[onlyIndex + 1] : undefined;
const bin = (name) => join(root, 'node_modules', '.bin', name);

const totals = { passed: 0, failed: 0, skipped: 0 };

function step(title, cmd, args) {
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

function vitest(title, args, report) {
  const file = join(results, report);
  rmSync(file, { force: true });
  const ok = step(title, bin('vitest'), ['run', ...args, '--reporter=default', '--reporter=json', `--outputFile=${file}`]);
  if (!existsSync(file)) return false;
  const json = JSON.parse(readFileSync(file, 'utf8'));
  totals.passed += json.numPassedTests;
  totals.failed += json.numFailedTests;
  totals.skipped += json.numPendingTests + json.numTodoTests;
  if (json.numTotalTests === 0) {
    console.error(`${title}: no tests ran`);
    return false;
  }
  return ok && json.numFailedTests === 0;
}

function finish(ok) {
  const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
  console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed${skipped}`);
  if (totals.skipped > 0) {
    console.error('skipped or todo tests are not allowed: make them run or remove them');
    ok = false;
  }
  process.exit(ok ? 0 : 1);
}

let ok = step('type check: host, CLI, unit tests', bin('tsc'), ['-p', 'tsconfig.json'])
  && step('type check: webviews', bin('tsc'), ['-p', 'webview/tsconfig.json'])
  && step('type check: end-to-end tests', bin('tsc'), ['-p', 'test/e2e/tsconfig.json']);
// Browser-driven webview tests time real playback and frames: they run after the CPU-heavy unit
// tests (the corpora, the fuzzers), one file at a time, so a loaded 2-core machine cannot starve them.
if (ok && only !== 'e2e') {
  ok = vitest('unit tests', ['--exclude', 'test/unit/webview/**'], 'unit.json')
    && vitest('webview tests in a real browser, one file at a time', ['test/unit/webview', '--no-file-parallelism'], 'webview.json');
}
if (ok && only !== 'unit') ok = vitest('end-to-end tests in a real VS Code', ['-c', 'test/e2e/vitest.config.ts'], 'e2e.json');
finish(ok);
