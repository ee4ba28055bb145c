// The Embedding Timeline in VS Code: opened from a run in the Runs view, scrubbed with the slider.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { findProducerPython } from '../../scripts/lib/python.mjs';
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
  // The plot's text follows the theme (it was left dark-on-dark before).
  await vs.switchTheme('Dark Modern', textColour);
  await vs.screenshot('embeddings-dark');
  await vs.switchTheme('Dark High Contrast', textColour);
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

test('the step shown, written again by its producer, is read afresh', async () => {
  const frame = await vs.webviewFrame('[data-testid="slider"]');
  await expect.poll(() => frame.locator('[data-testid="step-label"]').textContent(), { timeout: 20_000 }).toBe('step 200 · 4/4');
  const names = async () => JSON.parse((await frame.locator('[data-testid=plot]').getAttribute('data-spaces')) ?? '[]').map((s: { name: string; points: number }) => `${s.name} ${s.points}`);
  await expect.poll(names, { timeout: 20_000 }).toEqual(['latent 60', 'lora 40', 'prompt 30']);
  // A resumed run writes step 200 again, with other points (numpy, as the trainer does).
  const dir = join(vs.workspace, 'lightning_logs', 'version_0', 'viz_snapshots');
  execFileSync(findProducerPython()!, ['-c', [
    'import sys, numpy as np',
    'np.savez(sys.argv[1] + "/viz_step_200_embeddings.npz", latent_projections_2d=np.random.default_rng(2).normal(size=(7, 2)).astype(np.float32))',
  ].join('\n'), dir]);
  await expect.poll(names, { timeout: 30_000 }).toEqual(['latent 7']);
  expect(vs.extensionErrors()).toEqual([]);
});

test('an earlier step written again: the fixed axes and alignments after it are measured again', async () => {
  const frame = await vs.webviewFrame('[data-testid="slider"]');
  await expect.poll(() => frame.locator('[data-testid="step-label"]').textContent(), { timeout: 20_000 }).toBe('step 200 · 4/4');
  const latentX = async () => (JSON.parse((await frame.locator('[data-testid=plot]').getAttribute('data-spaces')) ?? '[]') as { name: string; x: [number, number] }[]).find((s) => s.name === 'latent')?.x;
  await expect.poll(latentX, { timeout: 20_000 }).toBeDefined();
  expect(Math.max(...(await latentX())!.map(Math.abs))).toBeLessThan(100);
  // Step 50 written again with its latent points a thousand times further out; its other arrays as they were.
  const dir = join(vs.workspace, 'lightning_logs', 'version_0', 'viz_snapshots');
  execFileSync(findProducerPython()!, ['-c', [
    'import sys, numpy as np',
    'f = sys.argv[1] + "/viz_step_50_embeddings.npz"',
    'z = dict(np.load(f, allow_pickle=True))',
    'z["latent_projections_2d"] = z["latent_projections_2d"] * 1000',
    'np.savez(f, **z)',
  ].join('\n'), dir]);
  await expect.poll(async () => Math.max(...((await latentX()) ?? [0]).map(Math.abs)), { timeout: 30_000 }).toBeGreaterThan(500);
  expect(await frame.locator('[data-testid="step-label"]').textContent()).toBe('step 200 · 4/4');
  expect(vs.extensionErrors()).toEqual([]);
});

test('the panel comes back after a window reload at the same step and colouring', async () => {
  let frame = await vs.webviewFrame('[data-testid="slider"]');
  await frame.locator('[data-testid="slider"]').fill('1');
  await frame.locator('[data-testid="color-by"]').selectOption('loss');
  await expect.poll(() => frame.locator('[data-testid=colour-bar]').count(), { timeout: 10_000 }).toBe(1);
  await vs.reloadWindow();
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

test('a per-row id of thousands of names: hovering a point shows its id, which the host sends when asked', async () => {
  await vs.runCommand('View: Close All Editors');
  // 5,000 rows, each its own sample id: more names than a step sends (NAMES_SENT).
  const dir = join(vs.workspace, 'many_ids', 'viz_snapshots');
  mkdirSync(dir, { recursive: true });
  execFileSync(findProducerPython()!, ['-c', [
    'import json, sys, numpy as np',
    'n = 5000; pts = np.random.default_rng(1).normal(size=(n, 2)).astype(np.float32)',
    'meta = np.array([json.dumps({"sample_id": f"row-{i:05d}", "label": f"c{i % 3}"}) for i in range(n)], dtype=object)',
    'np.savez(sys.argv[1] + "/viz_step_10_embeddings.npz", latent_projections_2d=pts, latent_metadata=meta)',
  ].join('\n'), dir]);
  await vs.refreshRuns();
  await vs.runsViewAction(/^many_ids/, 'Open Embedding Timeline');
  const frame = await vs.webviewFrame('[data-testid="slider"]');
  const plot = frame.locator('[data-testid=plot]');
  await expect.poll(() => plot.getAttribute('data-drawn-step'), { timeout: 30_000 }).toBe('10');
  const [space] = JSON.parse((await plot.getAttribute('data-spaces'))!) as { rect: { left: number; top: number; width: number; height: number } }[];
  const box = (await frame.locator('[data-testid=scatter-axes]').boundingBox())!;
  const tip = frame.locator('[data-testid=tooltip]');
  // The middle of the cloud, where points are dense.
  await vs.page.mouse.move(box.x + space.rect.left + space.rect.width / 2 + 3, box.y + space.rect.top + space.rect.height / 2);
  await vs.page.mouse.move(box.x + space.rect.left + space.rect.width / 2, box.y + space.rect.top + space.rect.height / 2, { steps: 2 });
  await expect.poll(async () => (await tip.textContent()) ?? '', { timeout: 20_000 }).toMatch(/^latent · point \d+ · step 10\nsample_id: row-\d{5}\nlabel: c\d$/);
  // The name is the point's own.
  const text = (await tip.textContent())!;
  expect(Number(/sample_id: row-(\d+)/.exec(text)![1])).toBe(Number(/point (\d+)/.exec(text)![1]));
  expect(vs.extensionErrors()).toEqual([]);
});
