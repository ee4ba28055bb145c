// The Embedding Timeline in VS Code: opened from a run in the Runs view, scrubbed with the slider.
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
  await vs.openRunReelView();
  const run = vs.treeItem(/^lightning_logs\/version_0/);
  await run.waitFor({ timeout: 30_000 });
  await run.hover();
  await run.locator('.action-label[aria-label="Open Embedding Timeline"]').click();
  const frame = await vs.webviewFrame('[data-testid="slider"]');
  await expect.poll(() => frame.locator('[data-testid="step-label"]').textContent(), { timeout: 20_000 }).toBe('step 150 · 3/3');
  await expect.poll(() => frame.locator('.scatterlayer, .gl-container canvas').count(), { timeout: 20_000 }).toBeGreaterThan(0);
  expect(await frame.locator('.infolayer .annotation-text').allTextContents()).toEqual(['latent', 'lora', 'prompt']);
  await frame.locator('[data-testid="slider"]').fill('0');
  await expect.poll(() => frame.locator('[data-testid="step-label"]').textContent()).toBe('step 50 · 1/3');
  expect(await frame.locator('[data-testid="follow"]').isChecked()).toBe(false);
  await vs.screenshot('embeddings-light');
  const textColour = () => frame.locator('.infolayer .annotation-text').first().evaluate((e) => getComputedStyle(e).fill);
  const light = await textColour();
  await vs.setColorTheme('Dark Modern');
  // The plot's text follows the theme (it was left dark-on-dark before).
  await expect.poll(textColour, { timeout: 10_000 }).not.toBe(light);
  await vs.screenshot('embeddings-dark');
  expect(vs.extensionErrors()).toEqual([]);
});
