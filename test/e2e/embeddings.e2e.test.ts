// The Embedding Timeline in VS Code: opened from a run in the Runs view, scrubbed with the slider.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { VsCode } from './vscode';

const FIXTURE = join(inject('repoRoot'), 'test', 'fixtures', 'workspace');
let vs: VsCode;

beforeAll(async () => {
  vs = await VsCode.launch(FIXTURE, { 'workbench.colorTheme': 'Default Light Modern' });
});
afterAll(async () => {
  await vs?.close();
});

test('Open Embedding Timeline on a run: every space plotted, the slider moves the step', async () => {
  await vs.runsViewAction(/^lightning_logs\/version_0/, 'Open Embedding Timeline');
  const frame = await vs.webviewFrame('[data-testid="slider"]');
  await expect.poll(() => frame.locator('[data-testid="step-label"]').textContent(), { timeout: 20_000 }).toBe('step 150 · 3/3');
  const names = async () => JSON.parse((await frame.locator('[data-testid=plot]').getAttribute('data-spaces')) ?? '[]').map((s: { name: string; points: number }) => `${s.name} ${s.points}`);
  await expect.poll(names, { timeout: 20_000 }).toEqual(['latent 60', 'lora 40', 'prompt 30']);
  await expect.poll(() => frame.locator('[data-testid=plot]').getAttribute('data-drawn-step'), { timeout: 20_000 }).toBe('150');
  await frame.locator('[data-testid="slider"]').fill('0');
  await expect.poll(() => frame.locator('[data-testid="step-label"]').textContent()).toBe('step 50 · 1/3');
  expect(await frame.locator('[data-testid="follow"]').isChecked()).toBe(false);
  await vs.screenshot('embeddings-light');
  // The axes' text colour, as drawn: the theme's foreground.
  const textColour = () => frame.locator('[data-testid=plot]').getAttribute('data-ink');
  const light = await textColour();
  await vs.setColorTheme('Dark Modern');
  // The plot's text follows the theme (it was left dark-on-dark before).
  await expect.poll(textColour, { timeout: 10_000 }).not.toBe(light);
  await vs.screenshot('embeddings-dark');
  const dark = await textColour();
  await vs.setColorTheme('Dark High Contrast');
  await expect.poll(textColour, { timeout: 10_000 }).not.toBe(dark);
  await vs.screenshot('embeddings-high-contrast');
  expect(vs.extensionErrors()).toEqual([]);
});

test('follows a snapshot written while it is open; Create Animation from the panel', async () => {
  const frame = await vs.webviewFrame('[data-testid="slider"]');
  const label = () => frame.locator('[data-testid="step-label"]').textContent();
  await frame.locator('[data-testid="follow"]').check();
  await expect.poll(label, { timeout: 20_000 }).toBe('step 150 · 3/3');
  // A training run writes its next snapshot.
  const dir = join(vs.workspace, 'lightning_logs', 'version_0', 'viz_snapshots');
  copyFileSync(join(dir, 'viz_step_150_embeddings.npz'), join(dir, 'viz_step_200_embeddings.npz'));
  await expect.poll(label, { timeout: 30_000 }).toBe('step 200 · 4/4');
  await frame.locator('[data-testid="create-animation"]').click();
  await vs.page.locator('.notification-toast', { hasText: /animation created from \d+ frames/ }).waitFor({ timeout: 60_000 });
});

test('the panel comes back after a window reload at the same step and colouring', async () => {
  let frame = await vs.webviewFrame('[data-testid="slider"]');
  await frame.locator('[data-testid="slider"]').fill('1');
  await frame.locator('[data-testid="color-by"]').selectOption('loss');
  await expect.poll(() => frame.locator('[data-testid=colour-bar]').count(), { timeout: 10_000 }).toBe(1);
  await vs.runCommand('Developer: Reload Window');
  await vs.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  frame = await vs.webviewFrame('[data-testid="slider"]', 60_000);
  await expect.poll(() => frame.locator('[data-testid="step-label"]').textContent(), { timeout: 30_000 }).toBe('step 100 · 2/4');
  await expect.poll(() => frame.locator('[data-testid="color-by"]').inputValue(), { timeout: 20_000 }).toBe('loss');
  await expect.poll(() => frame.locator('[data-testid=colour-bar]').count(), { timeout: 20_000 }).toBe(1);
  expect(await frame.locator('[data-testid="follow"]').isChecked()).toBe(false);
});

test('Open With… Run Reel Embeddings on a step npz opens the timeline at that step', async () => {
  await vs.runCommand('View: Close All Editors');
  const npz = await vs.explorerRow(['lightning_logs', 'version_0', 'viz_snapshots', 'viz_step_50_embeddings.npz']);
  await vs.openWith(npz, 'Run Reel Embeddings');
  const frame = await vs.webviewFrame('[data-testid="slider"]');
  await expect.poll(() => frame.locator('[data-testid="step-label"]').textContent(), { timeout: 30_000 }).toBe('step 50 · 1/4');
  await expect.poll(async () => JSON.parse((await frame.locator('[data-testid=plot]').getAttribute('data-spaces')) ?? '[]').map((s: { name: string }) => s.name), { timeout: 20_000 }).toEqual(['latent', 'lora', 'prompt']);
  expect(vs.extensionErrors()).toEqual([]);
});
