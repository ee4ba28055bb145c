// The README's first command, as a new user runs it: `npm start` prints the code-server URL,
// and at that URL the demo workspace is open with the Run Reel side bar listing its runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, expect, inject, test } from 'vitest';
import { freePort } from '../../scripts/lib/codeServer.mjs';

let child: ChildProcess | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close().catch(() => {});
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

test('npm start prints the URL of a live demo workspace whose Runs view lists its runs', async () => {
  const port = await freePort();
  const demoDir = mkdtempSync(join(tmpdir(), 'runreel-e2e-demo-'));
  // Through npm, as the README says: the outer npm's environment is what a first run gets.
  child = spawn('npm', ['start'], {
    cwd: inject('repoRoot'),
    env: { ...process.env, RUNREEL_PORT: String(port), RUNREEL_DEMO_DIR: demoDir, RUNREEL_DEMO_STATE: mkdtempSync(join(tmpdir(), 'runreel-e2e-demo-state-')) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /^\[demo\]\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)$/m.exec(output);
      if (m) { clearInterval(timer); resolve(m[1]); }
    }, 200);
    void exited.then((code) => { clearInterval(timer); reject(new Error(`npm start exited with ${code}:\n${output}`)); });
  });
  expect(url).toBe(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(demoDir)}`);

  browser = await chromium.launch({ executablePath: inject('chromium'), args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // A first activation opens the walkthrough; the side bar is one click away, as for a user.
  await page.locator('.gettingStartedSlideDetails .category-title', { hasText: 'Get Started with Run Reel' }).waitFor({ timeout: 60_000 });
  await page.getByRole('tab', { name: 'Run Reel' }).click();
  for (const run of [/^lightning_logs\/acestep_lora_r8/, /^arc_ppo_run/, /^latents/, /^audiotab_ringbuf/]) {
    await page.getByRole('treeitem', { name: run }).first().waitFor({ timeout: 60_000 });
  }
  // Live: the demo's writer is running, so the training run says so.
  await expect.poll(() => page.getByRole('treeitem', { name: /^lightning_logs\/acestep_lora_r8/ }).textContent(), { timeout: 30_000 }).toContain('live');
  await page.screenshot({ path: join(inject('repoRoot'), 'test-results', 'demo-start.png') });

  // Ctrl+C stops everything it started: the server goes away.
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  await expect.poll(() => fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'up', () => 'down'), { timeout: 15_000 }).toBe('down');
}, 600_000);
