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
  // npm, the demo script, its writer and code-server share one process group.
  if (child?.pid && child.exitCode === null) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
});

test('npm start prints the URL of a live demo workspace whose Runs view lists its runs', async () => {
  const port = await freePort();
  const demoDir = mkdtempSync(join(tmpdir(), 'runreel-e2e-demo-'));
  // Through npm, as the README says: the outer npm's environment is what a first run gets.
  child = spawn('npm', ['start'], {
    cwd: inject('repoRoot'),
    env: { ...process.env, RUNREEL_PORT: String(port), RUNREEL_DEMO_DIR: demoDir, RUNREEL_DEMO_STATE: mkdtempSync(join(tmpdir(), 'runreel-e2e-demo-state-')) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, as in a terminal: Ctrl+C reaches every process in it
  });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<string>((resolve) => child!.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /^\[demo\]\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)$/m.exec(output);
      if (m) { clearInterval(timer); resolve(m[1]); }
    }, 200);
    void exited.then((code) => { clearInterval(timer); reject(new Error(`npm start ended (${code}):\n${output}`)); });
  });
  expect(url).toBe(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(demoDir)}`);

  browser = await chromium.launch({ executablePath: inject('chromium'), args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // A first activation opens the walkthrough; the side bar is one click away, as for a user.
  await page.locator('.gettingStartedSlideDetails .category-title', { hasText: 'Get Started with Run Reel' }).waitFor({ timeout: 60_000 });
  await page.getByRole('tab', { name: 'Run Reel' }).click();
  for (const run of [/^acestep_lora_r8 training run/, /^arc_ppo_run episode log/, /^latents latent store/, /^audiotab_ringbuf live audio buffer/, /^character_reference image gallery/, /^videos video clips/]) {
    await page.getByRole('treeitem', { name: run }).first().waitFor({ timeout: 60_000 });
  }
  // Live: the demo's writer is running, so the training run says so.
  await expect.poll(() => page.getByRole('treeitem', { name: /^acestep_lora_r8/ }).textContent(), { timeout: 30_000 }).toContain('live');
  await page.screenshot({ path: join(inject('repoRoot'), 'test-results', 'demo-start.png') });

  // Ctrl+C stops everything it started: the server goes away.
  process.kill(-child.pid!, 'SIGINT');
  // npm re-raises the signal its child stopped on, as in a terminal.
  expect(['exit 0', 'SIGINT']).toContain(await exited);
  await expect.poll(() => fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'up', () => 'down'), { timeout: 15_000 }).toBe('down');
  // Nothing it started is left: the writer and code-server were in its process group.
  const groupAlive = () => { try { process.kill(-child!.pid!, 0); return true; } catch { return false; } };
  await expect.poll(groupAlive, { timeout: 15_000 }).toBe(false);
}, 600_000);
