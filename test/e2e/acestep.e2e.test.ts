// The ACE-Step trainer's real output (../shared/real-producers/acestep/trainer) in VS Code: one
// run, not two (the UI's viz_snapshots folder joins the trainer's, and the Run Overview says
// so); its timeline coloured by fields the snapshots have; Eval Audio lists all four samples
// of a step; a Lightning checkpoint and an .npy open in the Tensor Inspector with a double click
// in the Explorer (it is their default editor), with stats and a heatmap.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { copyWritable } from '../copyTree';
import { VsCode } from './vscode';

const TRAINER = '2026-12-01_19-19-48lora_experiment';
let vs: VsCode;

beforeAll(async () => {
  const fixture = mkdtempSync(join(tmpdir(), 'runreel-e2e-acestep-'));
  copyWritable(join(inject('repoRoot'), '..', 'shared', 'real-producers', 'acestep', 'trainer', 'lightning_logs'), join(fixture, 'lightning_logs'));
  copyFileSync(join(inject('repoRoot'), '..', 'shared', 'corpora', 'numpy', 'test_format-basic', 'le-f4_2d_c.npy'), join(fixture, 'weights.npy'));
  vs = await VsCode.launch(fixture, { 'workbench.colorTheme': 'Default Dark Modern', 'explorer.compactFolders': false });
  rmSync(fixture, { recursive: true, force: true });
});
afterAll(async () => {
  await vs?.close();
});

type Frame = Awaited<ReturnType<VsCode['webviewFrame']>>;
const text = (frame: Frame, id: string) => frame.locator(`[data-testid="${id}"]`).textContent();

test('one training run: the Run Overview lists the joined snapshots, eval audio by sample and checkpoints', async () => {
  await vs.openRunReelView();
  await vs.refreshRuns();
  const run = vs.treeItem(new RegExp(`^${TRAINER}`));
  await run.waitFor({ timeout: 30_000 });
  expect(await vs.treeItem(/^2026-12-01_19-19-45lora_experiment/).count()).toBe(0);
  await run.click();
  const frame = await vs.webviewFrame('[data-testid="run-notes"]');
  expect(await text(frame, 'run-notes')).toMatch(/^Joined: 2026-12-01_19-19-45lora_experiment\/viz_snapshots is this run's: ACE-Step's UI made that folder for experiment "lora_experiment" 3 s before the trainer started logging here\.$/);
  const rows = await frame.locator('[data-testid="artifacts"] tbody tr').allTextContents();
  expect(rows.find((r) => r.startsWith('Embedding snapshots'))).toContain('steps 12–49, latest 49');
  expect(rows.find((r) => r.startsWith('Eval audio'))).toMatch(/^Eval audio2steps 0–25/);
  expect(rows.find((r) => r.startsWith('Checkpoints'))).toBeTruthy();
  await vs.screenshot('acestep-run-overview');
  expect(vs.extensionErrors()).toEqual([]);
});

test('the timeline opens from the run on the joined snapshots, each space coloured by a field it has', async () => {
  await vs.runCommand('View: Close All Editors');
  await vs.runsViewAction(new RegExp(`^${TRAINER}`), 'Open Embedding Timeline');
  const frame = await vs.webviewFrame('[data-testid="slider"]');
  await expect.poll(() => text(frame, 'step-label'), { timeout: 20_000 }).toBe('step 49 · 4/4');
  await expect.poll(() => frame.locator('[data-testid="color-by"]').getAttribute('title'), { timeout: 20_000 }).toBe('auto: latent: step, lora: step, prompt: prompt_text');
  // Colour means more than one marker colour: prompt_text categories, and a step colour bar.
  await expect.poll(() => frame.locator('[data-testid=legend-item]').count(), { timeout: 20_000 }).toBeGreaterThan(1);
  await expect.poll(() => frame.locator('[data-testid=colour-bar]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
  await vs.screenshot('acestep-timeline');
  // A lasso around the whole latent space lights every space's rows of those samples, and the
  // host draws their trails over the steps before.
  await frame.locator('[data-testid=trail]').selectOption('5');
  const spaces = async () => JSON.parse((await frame.locator('[data-testid=plot]').getAttribute('data-spaces')) ?? '[]') as { selected: number; rect: { left: number; top: number; width: number; height: number } }[];
  const s = (await spaces())[0];
  const canvas = (await frame.locator('[data-testid=scatter-axes]').boundingBox())!;
  const [l, t, r, b] = [canvas.x + s.rect.left + 2, canvas.y + s.rect.top + 2, canvas.x + s.rect.left + s.rect.width - 2, canvas.y + s.rect.top + s.rect.height - 2];
  await vs.page.mouse.move(l, t);
  await vs.page.mouse.down();
  for (const [x, y] of [[r, t], [r, b], [l, b], [l, t + 4]]) await vs.page.mouse.move(x, y, { steps: 6 });
  await vs.page.mouse.up();
  await expect.poll(async () => (await spaces()).map((x) => x.selected), { timeout: 10_000 }).toEqual([200, 200, 200]);
  await expect.poll(async () => { const v = ((await frame.locator('[data-testid=plot]').getAttribute('data-trail-segments')) ?? '').split(',').map(Number); return v.length === 3 && v.every((n) => n > 0) ? 'every space' : v.join(','); }, { timeout: 20_000 })
    .toBe('every space');
  await vs.screenshot('acestep-timeline-selection');
  expect(vs.extensionErrors()).toEqual([]);
});

test('Eval Audio lists every sample of a step by its key', async () => {
  await vs.runCommand('View: Close All Editors');
  const run = vs.treeItem(new RegExp(`^${TRAINER}`));
  await run.locator('.monaco-tl-twistie').click();
  await vs.runsViewAction(/^Eval audio/, 'Open Eval Audio');
  const frame = await vs.webviewFrame('[data-testid="tracks"]');
  await expect.poll(() => frame.locator('[data-testid="sample"] option').allTextContents(), { timeout: 20_000 })
    .toEqual(['sample song_0001_0', 'sample song_0008_0', 'sample song_0010_0', 'sample song_0033_0']);
  await expect.poll(() => frame.locator('[data-testid="track-target"] .track-label').textContent(), { timeout: 20_000 }).toMatch(/^Target · target_wav_song_0001_0\.wav · 48000 Hz · 2 ch/);
  expect(vs.extensionErrors()).toEqual([]);
});

test('a Lightning checkpoint opens in the Tensor Inspector with a double click: its tensors, its training state, stats and a heatmap', async () => {
  await vs.runCommand('View: Close All Editors');
  const row = await vs.explorerRow(['lightning_logs', TRAINER, 'checkpoints', 'epoch=4-step=50.ckpt']);
  await row.dblclick();
  const frame = await vs.webviewFrame('[data-testid="format"]');
  await expect.poll(() => text(frame, 'format'), { timeout: 20_000 }).toBe('torch checkpoint');
  await expect.poll(() => frame.locator('[data-testid="metadata"] th').allTextContents(), { timeout: 10_000 }).toContain('global_step');
  const name = 'transformers.transformer_blocks.0.attn.to_q.lora_A.default.weight';
  await frame.locator('tr', { hasText: name }).first().click();
  await expect.poll(() => frame.locator('[data-testid="stats"]').textContent(), { timeout: 20_000 }).toMatch(/min/);
  await expect.poll(() => frame.locator('[data-testid="heatmap"]').evaluate((c: HTMLCanvasElement) => c.width), { timeout: 20_000 }).toBeGreaterThan(0);
  await vs.screenshot('tensor-inspector-ckpt');
  expect(vs.extensionErrors()).toEqual([]);
});

test('an .npy opens in the Tensor Inspector with a double click: its array, stats and a heatmap', async () => {
  await vs.runCommand('View: Close All Editors');
  const row = await vs.explorerRow(['weights.npy']);
  await row.dblclick();
  const frame = await vs.webviewFrame('[data-testid="format"]:text("npy")');
  await frame.locator('tr', { hasText: 'array' }).first().click();
  // numpy: 30×50 float32, 0 … 1499.
  await expect.poll(() => frame.locator('[data-testid="stats"]').textContent(), { timeout: 20_000 }).toMatch(/min\s*0.*max\s*1,?499/s);
  await expect.poll(() => frame.locator('[data-testid="heatmap"]').evaluate((c: HTMLCanvasElement) => c.width), { timeout: 20_000 }).toBeGreaterThan(0);
  await vs.screenshot('tensor-inspector-npy');
  expect(vs.extensionErrors()).toEqual([]);
});
