// Episode Replay in VS Code: an episode opened from the Runs view steps forward with the
// keyboard (step and reward change), the panel comes back at the same step after a window
// reload, a reduced-state episode opens from the Explorer's context menu with its SVG step
// images, one picked from the palette opens, and an episode log opens with "Open With…".
// JaxARC v1.0.2's real output (flat logs/ beside a run_* SVG tree) replays as one run with
// its grids, real task ids, batch metrics and evaluation.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { findProducerPython } from '../../scripts/lib/python.mjs';
import { copyWritable } from '../copyTree';
import { VsCode } from './vscode';

const FIXTURE = join(inject('repoRoot'), 'test', 'fixtures', 'workspace');
const EPISODES = join(inject('repoRoot'), 'test', 'fixtures', 'episodes');
let vs: VsCode;

beforeAll(async () => {
  // The workspace fixture plus the 12-step episodes, in place before VS Code starts.
  const fixture = mkdtempSync(join(tmpdir(), 'runreel-e2e-episodes-'));
  cpSync(FIXTURE, fixture, { recursive: true });
  cpSync(join(EPISODES, 'grid_run'), join(fixture, 'outputs', 'episodes', 'grid_run'), { recursive: true });
  copyWritable(join(inject('repoRoot'), '..', 'shared', 'real-producers', 'jaxarc', 'v1.0.2', 'outputs', 'research'), join(fixture, 'outputs', 'jaxarc', 'research'));
  vs = await VsCode.launch(fixture, { 'workbench.colorTheme': 'Default Dark Modern' });
  rmSync(fixture, { recursive: true, force: true });
});
afterAll(async () => {
  await vs?.close();
});

type Frame = Awaited<ReturnType<VsCode['webviewFrame']>>;
const text = (frame: Frame, id: string) => frame.locator(`[data-testid="${id}"]`).textContent();

test('an episode from the Runs view: grids drawn, → steps forward and the step and reward change', async () => {
  await vs.openRunReelView();
  await vs.refreshRuns();
  const run = vs.treeItem(/^grid_run/);
  await run.waitFor({ timeout: 30_000 });
  await run.locator('.monaco-tl-twistie').click();
  const group = vs.treeItem(/^Episodes/);
  await group.waitFor({ timeout: 30_000 });
  await group.locator('.monaco-tl-twistie').click();
  await vs.treeItem(/^episode 0(?!\d)/).click();
  const frame = await vs.webviewFrame('[data-testid="grids"]');
  await expect.poll(() => text(frame, 'title'), { timeout: 20_000 }).toBe('episode 0 · arc_000');
  await expect.poll(() => text(frame, 'step-label'), { timeout: 20_000 }).toBe('step 1 of 12');
  // The canvases hold the cells: the after grid is 6 × 5 cells of an ARC colour.
  await expect.poll(() => frame.locator('[data-testid="after"]').evaluate((c: HTMLCanvasElement) => `${c.dataset.rows}×${c.dataset.cols}`), { timeout: 10_000 }).toBe('5×6');
  const reward0 = await text(frame, 'reward');
  const action0 = await text(frame, 'action');
  await frame.locator('[data-testid="grids"]').click();
  await vs.page.keyboard.press('ArrowRight');
  await vs.page.keyboard.press('ArrowRight');
  await expect.poll(() => text(frame, 'step-label'), { timeout: 10_000 }).toBe('step 3 of 12');
  await expect.poll(() => frame.locator('[data-testid="grids"]').getAttribute('data-step'), { timeout: 10_000 }).toBe('2');
  expect([await text(frame, 'reward'), await text(frame, 'action')]).not.toEqual([reward0, action0]);
  expect(await frame.locator('[data-testid="episode-rows"] tr').count()).toBe(4);
  await frame.locator('[data-testid="show-target"]').check();
  await frame.locator('[data-testid="target"]').waitFor({ timeout: 10_000 });
  await vs.screenshot('episode-replay-dark');
  expect(vs.extensionErrors()).toEqual([]);
});

test('light theme', async () => {
  const frame = await vs.webviewFrame('[data-testid="grids"]');
  const colour = () => frame.locator('[data-testid="title"]').evaluate((e) => getComputedStyle(e).color);
  await vs.switchTheme('Light Modern', colour);
  await vs.page.waitForTimeout(500);
  await vs.screenshot('episode-replay-light');
  await vs.setColorTheme('Dark Modern');
});

test('after a window reload the panel comes back on the same episode and step', async () => {
  await vs.reloadWindow();
  const frame = await vs.webviewFrame('[data-testid="grids"]', 60_000);
  await expect.poll(() => text(frame, 'step-label'), { timeout: 30_000 }).toBe('step 3 of 12');
  expect(await frame.locator('[data-testid="show-target"]').isChecked()).toBe(true);
  await expect.poll(() => frame.locator('[data-testid="grids"]').getAttribute('data-step'), { timeout: 10_000 }).toBe('2');
});

test('Explorer → Replay Episode on a reduced-state episode shows its SVG step images', async () => {
  await vs.runCommand('View: Close All Editors');
  const row = await vs.explorerRow(['outputs', 'episodes', 'grid_run', 'episode_0002']);
  await vs.contextMenuPick(row, 'Replay Episode');
  const frame = await vs.webviewFrame('[data-testid="grids"]');
  await expect.poll(() => text(frame, 'title'), { timeout: 20_000 }).toBe('episode 2 · arc_074');
  const img = frame.locator('[data-testid="step-image"]');
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth), { timeout: 20_000 }).toBe(40);
  await frame.locator('[data-testid="next"]').click();
  await expect.poll(() => img.getAttribute('src'), { timeout: 10_000 }).toMatch(/step_001\.svg$/);
  expect(vs.extensionErrors()).toEqual([]);
});

test('"Run Reel: Replay Episode" from the palette lists episodes newest first and opens the one picked', async () => {
  await vs.runCommand('View: Close All Editors');
  await vs.runCommand('Run Reel: Replay Episode');
  const rows = vs.page.locator('.quick-input-widget .monaco-list-row');
  await rows.first().waitFor();
  const grid = rows.filter({ has: vs.page.locator('.label-description', { hasText: /^grid_run$/ }) });
  // A row's first label is its name (the folder's path follows as its detail).
  await expect.poll(() => grid.evaluateAll((rs) => rs.map((r) => r.querySelector('.label-name')?.textContent))).toEqual(['episode 3', 'episode 2', 'episode 1', 'episode 0']);
  await grid.filter({ has: vs.page.locator('.label-name', { hasText: /^episode 1$/ }) }).click();
  const frame = await vs.webviewFrame('[data-testid="grids"]');
  await expect.poll(() => text(frame, 'title'), { timeout: 20_000 }).toMatch(/^episode 1 · /);
  expect(vs.extensionErrors()).toEqual([]);
});

test('Open With… Run Reel Episode Replay on a gzipped log', async () => {
  await vs.runCommand('View: Close All Editors');
  const row = await vs.explorerRow(['outputs', 'episodes', 'grid_run', 'episode_0002', 'episode_0002_20251121_044200.json.gz']);
  await vs.openWith(row, 'Run Reel Episode Replay');
  const frame = await vs.webviewFrame('[data-testid="grids"]');
  await expect.poll(() => text(frame, 'title'), { timeout: 20_000 }).toBe('episode 2 · arc_074');
  await expect.poll(() => text(frame, 'step-label'), { timeout: 20_000 }).toBe('step 1 of 6');
  expect(vs.extensionErrors()).toEqual([]);
});

test('an episode a running experiment writes appears in the open panel without a reload', async () => {
  const frame = await vs.webviewFrame('[data-testid="grids"]');
  const rows = frame.locator('[data-testid="episode-rows"] tr');
  await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(4);
  const producers = join(inject('repoRoot'), 'scripts', 'producers');
  execFileSync(findProducerPython()!, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(producers)}); import runreel_producers as P; from pathlib import Path; P.write_episode(Path(${JSON.stringify(join(vs.workspace, 'outputs', 'episodes', 'grid_run'))}), 4, steps=7, size=(6, 6), images=None)`]);
  await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(5);
  expect(await frame.locator('[data-testid="episode-rows"] tr[data-episode="4"]').textContent()).toContain('arc_148');
  expect(vs.extensionErrors()).toEqual([]);
});

test('JaxARC v1.0.2: one run from logs/ and run_*/, grids from numpy text, the real task id, batch metrics and evaluation', async () => {
  await vs.runCommand('View: Close All Editors');
  await vs.openRunReelView();
  await vs.refreshRuns();
  const run = vs.treeItem(/^research/);
  await run.waitFor({ timeout: 30_000 });
  // One run, not a second one for the SVG tree.
  expect(await vs.treeItem(/^run_20261201_191217/).count()).toBe(0);
  await run.locator('.monaco-tl-twistie').click();
  const group = vs.treeItem(/^Episodes/).filter({ hasText: '1 of 3 solved' });
  await group.waitFor({ timeout: 30_000 });
  await expect.poll(() => vs.treeItem(/^Batch metrics/).count(), { timeout: 10_000 }).toBe(1);
  await group.locator('.monaco-tl-twistie').click();
  await vs.treeItem(/^episode 0(?!\d).*68b16354/).click();
  const frame = await vs.webviewFrame('[data-testid="run-files"]');
  await expect.poll(() => text(frame, 'title'), { timeout: 20_000 }).toBe('episode 0 · 68b16354');
  await expect.poll(() => text(frame, 'step-label'), { timeout: 20_000 }).toBe('step 1 of 8 (step_num 1)');
  // The 30×30 numpy text cut to the task's 10×10 cells; the action is Op 13 (info.operation_id).
  await expect.poll(() => frame.locator('[data-testid="after"]').evaluate((c: HTMLCanvasElement) => `${c.dataset.rows}×${c.dataset.cols}`), { timeout: 10_000 }).toBe('10×10');
  expect(await text(frame, 'action')).toMatch(/^Op 13: /);
  expect(await text(frame, 'episode-files')).toContain('run_20261201_191217/episode_0000');
  const rows = frame.locator('[data-testid="episode-rows"] tr');
  await expect.poll(() => rows.evaluateAll((rs) => rs.map((r) => r.children[2].textContent)), { timeout: 10_000 }).toEqual(['68b16354', 'b1948b0a', '3c9b0459']);
  await expect.poll(() => frame.locator('[data-testid="batch-metrics"] .metric-card').count(), { timeout: 10_000 }).toBe(7);
  expect(await text(frame, 'evaluation')).toContain('Evaluation of task 3c9b0459: success rate 1');
  await rows.filter({ hasText: '3c9b0459' }).click();
  await expect.poll(() => text(frame, 'title'), { timeout: 20_000 }).toBe('episode 2 · 3c9b0459');
  await expect.poll(() => frame.locator('[data-testid="after"]').evaluate((c: HTMLCanvasElement) => `${c.dataset.rows}×${c.dataset.cols}`), { timeout: 10_000 }).toBe('3×3');
  await expect.poll(() => text(frame, 'status'), { timeout: 10_000 }).toBe('Solved');
  await vs.screenshot('episode-replay-jaxarc');
  expect(vs.extensionErrors()).toEqual([]);
});
