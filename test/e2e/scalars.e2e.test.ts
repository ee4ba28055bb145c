// The Scalars panel in a real VS Code, on the real Lightning runs and ACE-Step's trainer run
// (../shared/real-producers): Open Scalars on two runs selected in the Runs view, both curves,
// smoothing against a reference EMA, a point a writer process appends showing up live, a click
// on a chart moving the run's Embedding Timeline to that step, and the state after a reload.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { ScalarRun } from '../../src/domain/tensorboard/scalars';
import { copyWritable } from '../copyTree';
import { VsCode } from './vscode';

const SHARED = join(inject('repoRoot'), '..', 'shared', 'real-producers');
const EVENTS_V0 = 'events.out.tfevents.1796152329.vm.17058.0';
const ACE = '2026-12-01_19-19-48lora_experiment';
let vs: VsCode;
let fixture: string;

beforeAll(async () => {
  fixture = mkdtempSync(join(tmpdir(), 'runreel-e2e-scalars-'));
  copyWritable(join(SHARED, 'lightning', 'lightning_logs'), join(fixture, 'lightning_logs'));
  copyWritable(join(SHARED, 'acestep', 'trainer_longrun', 'lightning_logs'), join(fixture, 'acestep', 'lightning_logs'));
  vs = await VsCode.launch(fixture, { 'workbench.colorTheme': 'Default Dark Modern' });
});
afterAll(async () => {
  await vs?.close();
  if (fixture) rmSync(fixture, { recursive: true, force: true });
});

type Frame = Awaited<ReturnType<VsCode['webviewFrame']>>;
const card = (frame: Frame, tag: string) => frame.locator(`[data-testid=card][data-tag="${tag}"]`);
const points = async (frame: Frame, tag: string) => Number(await card(frame, tag).locator('.uplot').getAttribute('data-points'));

/** TensorBoard's smoothing, written out here as the reference. */
function referenceEma(values: ArrayLike<number>, weight: number): number[] {
  const out: number[] = [];
  let last = 0;
  for (let i = 0; i < values.length; i++) { last = last * weight + (1 - weight) * values[i]; out.push(last / (1 - weight ** (i + 1))); }
  return out;
}

test('Open Scalars on two runs selected in the Runs view: a card per tag with both curves', async () => {
  await vs.openRunReelView();
  await vs.refreshRuns();
  const first = vs.treeItem(/^lightning_logs\/version_0/);
  const second = vs.treeItem(/^lightning_logs\/version_1/);
  await first.waitFor({ timeout: 30_000 });
  await first.click();
  await second.click({ modifiers: ['Control'] });
  await vs.contextMenuPick(second, 'Open Scalars');
  const frame = await vs.webviewFrame('[data-testid="cards"]');
  await expect.poll(() => frame.locator('[data-testid=summary]').textContent(), { timeout: 30_000 }).toMatch(/^2 runs · 9 tags · [\d,]+ points$/);
  await expect.poll(() => points(frame, 'train/loss'), { timeout: 20_000 }).toBe(400);
  expect(await frame.locator('[data-testid=runs] input:checked').evaluateAll((els) => els.map((e) => e.getAttribute('data-run')!.split(/[\\/]/).slice(-2).join('/')))).toEqual(['lightning_logs/version_0', 'lightning_logs/version_1']);
  // The curves are drawn: the plot has ink in both runs' colours.
  const colours = await card(frame, 'train/loss').locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = { blue: 0, orange: 0 };
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] < 200) continue;
      if (d[i + 2] > 140 && d[i] < 110) seen.blue++;
      if (d[i] > 200 && d[i + 1] > 110 && d[i + 1] < 170 && d[i + 2] < 80) seen.orange++;
    }
    return seen;
  });
  expect(colours.blue).toBeGreaterThan(100);
  expect(colours.orange).toBeGreaterThan(100);
  await frame.locator('[data-testid=tag-filter]').fill('^(train|val)/');
  await expect.poll(() => frame.locator('[data-testid=card]').count()).toBe(3);
  await vs.screenshot('scalars-dark');
  await frame.locator('[data-testid=tag-filter]').fill('');
  expect(vs.extensionErrors()).toEqual([]);
});

test('changing the smoothing redraws with TensorBoard\'s EMA; the hover reads raw and smoothed values', async () => {
  const frame = await vs.webviewFrame('[data-testid="cards"]');
  await frame.locator('[data-testid=smoothing-value]').fill('0.95');
  await frame.locator('[data-testid=smoothing-value]').dispatchEvent('change');
  const over = card(frame, 'train/loss').locator('.u-over');
  await over.hover({ position: { x: 150, y: 60 } });
  const lines = await frame.locator('[data-testid=tooltip] > *').allTextContents();
  const step = Number(/step ([\d,]+)/.exec(lines[0])![1].replace(/,/g, ''));
  const run = new ScalarRun(join(vs.workspace, 'lightning_logs', 'version_0'));
  await run.update();
  const s = run.get('train/loss')!;
  const i = Array.from(s.steps).indexOf(step);
  expect(i).toBeGreaterThanOrEqual(0);
  const m = /: (\S+) · smoothed (\S+)$/.exec(lines.find((l) => l.includes('version_0:'))!)!;
  expect(Number(m[1])).toBeCloseTo(s.values[i], 5);
  expect(Number(m[2])).toBeCloseTo(referenceEma(s.values, 0.95)[i], 5);
  await vs.setColorTheme('Light Modern');
  await frame.locator('[data-testid=tag-filter]').fill('^(train|val)/');
  await expect.poll(() => frame.locator('[data-testid=card]').count()).toBe(3);
  await frame.locator('[data-testid=summary]').scrollIntoViewIfNeeded();
  await expect.poll(() => points(frame, 'train/loss'), { timeout: 10_000 }).toBe(400);
  await vs.page.mouse.move(5, 400);
  await vs.screenshot('scalars-light');
  // High contrast: the cards' borders and text take the theme's contrast colours.
  await vs.setColorTheme('Dark High Contrast');
  await expect.poll(() => card(frame, 'train/loss').evaluate((c) => getComputedStyle(c).borderTopColor), { timeout: 10_000 }).toBe('rgb(111, 195, 223)');
  await expect.poll(() => points(frame, 'train/loss'), { timeout: 10_000 }).toBe(400);
  await vs.screenshot('scalars-high-contrast');
  await frame.locator('[data-testid=tag-filter]').fill('');
  await vs.setColorTheme('Dark Modern');
  expect(vs.extensionErrors()).toEqual([]);
});

test('a point a writer process appends appears live, with no reload', async () => {
  const dir = join(vs.workspace, 'live', 'version_0');
  mkdirSync(dir, { recursive: true });
  const src = readFileSync(join(SHARED, 'lightning', 'lightning_logs', 'version_0', EVENTS_V0));
  const file = join(dir, EVENTS_V0);
  writeFileSync(file, src.subarray(0, 20_000));
  const frame = await vs.webviewFrame('[data-testid="cards"]');
  await expect.poll(() => frame.locator('[data-testid=run][data-label="live/version_0"]').count(), { timeout: 30_000 }).toBe(1);
  await frame.locator('[data-testid=run][data-label="live/version_0"] input').check();
  await frame.locator('[data-testid=tag-filter]').fill('^train/loss$');
  await expect.poll(() => points(frame, 'train/loss'), { timeout: 20_000 }).toBeGreaterThan(400);
  const before = await points(frame, 'train/loss');
  expect(before).toBeLessThan(600);
  // A separate process appends the rest of the real file, as a training's writer would.
  const writer = spawn(process.execPath, ['-e', `require('fs').appendFileSync(${JSON.stringify(file)}, require('fs').readFileSync(${JSON.stringify(join(SHARED, 'lightning', 'lightning_logs', 'version_0', EVENTS_V0))}).subarray(20000))`], { stdio: 'ignore' });
  await new Promise((r) => writer.on('exit', r));
  const t0 = Date.now();
  await expect.poll(() => points(frame, 'train/loss'), { timeout: 10_000, interval: 100 }).toBe(600);
  // Seen within a poll or two (400 ms each) plus the round trip; a loaded CI machine gets slack.
  expect(Date.now() - t0).toBeLessThan(5_000);
  await frame.locator('[data-testid=run][data-label="live/version_0"] input').uncheck();
  await frame.locator('[data-testid=tag-filter]').fill('');
  expect(vs.extensionErrors()).toEqual([]);
});

test('a click on a scalar chart moves the run\'s Embedding Timeline to the nearest snapshot step', async () => {
  await vs.runCommand('View: Close All Editors');
  await vs.runsViewAction(new RegExp(`^${ACE}`), 'Open Embedding Timeline');
  const timeline = await vs.webviewFrame('[data-testid="slider"]');
  await expect.poll(() => timeline.locator('[data-testid=step-label]').textContent(), { timeout: 30_000 }).toBe('step 274 · 4/4');
  await vs.runsViewAction(new RegExp(`^${ACE}`), 'Open Scalars');
  const frame = await vs.webviewFrame('[data-testid="cards"]');
  await frame.locator('[data-testid=tag-filter]').fill('^train/loss$');
  await frame.locator(`[data-testid=run] input[data-run$="${ACE}"]`).waitFor({ timeout: 20_000 });
  // Only the ACE-Step run: uncheck the others the panel still charts.
  for (const other of await frame.locator('[data-testid=runs] input:checked').all()) {
    if (!(await other.getAttribute('data-run'))!.endsWith(ACE)) await other.uncheck();
  }
  await expect.poll(() => points(frame, 'train/loss'), { timeout: 20_000 }).toBe(275);
  const over = card(frame, 'train/loss').locator('.u-over');
  const box = (await over.boundingBox())!;
  // Steps 0…274 span the plot: 235/274 of the way is step ~235, nearest snapshot 237.
  await over.click({ position: { x: box.width * (235 / 274), y: box.height / 2 } });
  await expect.poll(() => card(frame, 'train/loss').getAttribute('data-marks'), { timeout: 10_000 }).toBe('1');
  // The timeline's tab: it was hidden behind Scalars and picks the step up when shown.
  await vs.page.locator('.tabs-container .tab', { hasText: /^Embeddings/ }).first().click();
  const shown = await vs.webviewFrame('[data-testid="slider"]');
  await expect.poll(() => shown.locator('[data-testid=step-label]').textContent(), { timeout: 20_000 }).toBe('step 237 · 1/4');
  expect(vs.extensionErrors()).toEqual([]);
});

test('"Run Reel: Go to Step…" moves the run\'s open timeline from the palette', async () => {
  const shown = await vs.webviewFrame('[data-testid="slider"]');
  await vs.runCommand('Run Reel: Go to Step…');
  await vs.pickQuickItem(ACE);
  const input = vs.page.locator('.quick-input-widget .quick-input-box input');
  await input.fill('260');
  await input.press('Enter');
  await expect.poll(() => shown.locator('[data-testid=step-label]').textContent(), { timeout: 20_000 }).toBe('step 262 · 3/4');
  expect(vs.extensionErrors()).toEqual([]);
});

test('after a window reload the panel comes back with its runs and settings', async () => {
  await vs.page.locator('.tabs-container .tab', { hasText: /^Scalars/ }).first().click();
  const before = await vs.webviewFrame('[data-testid="cards"]');
  await before.locator('[data-testid=log-y]').check();
  await before.locator('[data-testid=smoothing-value]').fill('0.8');
  await before.locator('[data-testid=smoothing-value]').dispatchEvent('change');
  await vs.reloadWindow();
  const frame = await vs.webviewFrame('[data-testid="cards"]', 60_000);
  await expect.poll(() => frame.locator('[data-testid=summary]').textContent(), { timeout: 30_000 }).toMatch(/^1 run · /);
  expect(await frame.locator('[data-testid=log-y]').isChecked()).toBe(true);
  expect(await frame.locator('[data-testid=tag-filter]').inputValue()).toBe('^train/loss$');
  expect(await frame.locator('[data-testid=smoothing-value]').inputValue()).toBe('0.8');
  await expect.poll(() => points(frame, 'train/loss'), { timeout: 20_000 }).toBe(275);
});

test('PyTorch\'s add_embedding folders open in the Embedding Timeline, one step per folder', async () => {
  await vs.runCommand('View: Close All Editors');
  await vs.runsViewAction(/^lightning_logs\/version_1/, 'Open Embedding Timeline');
  const frame = await vs.webviewFrame('[data-testid="slider"]');
  await expect.poll(() => frame.locator('[data-testid=step-label]').textContent(), { timeout: 30_000 }).toBe('step 2000 · 3/3');
  // One space (the tag), coloured by the metadata's labels: a legend of the four classes.
  await expect.poll(() => frame.locator('[data-testid=legend-item]').count(), { timeout: 20_000 }).toBe(4);
  expect(vs.extensionErrors()).toEqual([]);
});

test('the step clock moves a run\'s audio summaries in Eval Audio and its image tags in Media', async () => {
  await vs.runCommand('View: Close All Editors');
  await vs.runsViewAction(/^lightning_logs\/version_1/, 'Open Scalars');
  const scalars = await vs.webviewFrame('[data-testid="cards"]');
  const run = scalars.locator('[data-testid=run]', { has: scalars.locator('input[data-run$="version_1"]') });
  await expect.poll(() => run.locator('[data-testid=run-media]').textContent(), { timeout: 30_000 }).toMatch(/1 image tag · 1 audio tag/);
  await run.locator('[data-testid=open-audio]').click();
  const audio = await vs.webviewFrame('[data-testid="step"]');
  await expect.poll(() => audio.locator('[data-testid=step] option').allTextContents(), { timeout: 30_000 }).toHaveLength(3);
  expect(await audio.locator('[data-testid=step]').inputValue()).toBe('2000');
  // "Go to Step…" with the audio in front: 900 is nearest the summary written at step 1000.
  await vs.runCommand('Run Reel: Go to Step…');
  await vs.pickQuickItem('version_1');
  const input = vs.page.locator('.quick-input-widget .quick-input-box input');
  await input.fill('900');
  await input.press('Enter');
  await expect.poll(() => audio.locator('[data-testid=step]').inputValue(), { timeout: 20_000 }).toBe('1000');
  await expect.poll(() => audio.locator('[data-testid=track-file] .track-label').textContent(), { timeout: 20_000 }).toMatch(/val\/tone · step 1000 · 16000 Hz · 1 ch/);
  // The run's images, opened after the clock was set, start at its step; a later step moves them.
  await vs.page.locator('.tabs-container .tab', { hasText: /^Scalars/ }).first().click();
  const again = await vs.webviewFrame('[data-testid="cards"]');
  // A page made again when its tab is shown gets every point again, not only what is new.
  await expect.poll(() => points(again, 'train/loss'), { timeout: 20_000 }).toBe(200);
  await again.locator('[data-testid=run]', { has: again.locator('input[data-run$="version_1"]') }).locator('[data-testid=open-images]').click();
  const media = await vs.webviewFrame('[data-testid="image-tags"]');
  const tagStep = media.locator('[data-testid=image-tag][data-tag="val/reconstruction"] [data-testid=tag-step]');
  await expect.poll(() => tagStep.textContent(), { timeout: 30_000 }).toMatch(/step 1000\b/);
  await vs.runCommand('Run Reel: Go to Step…');
  await vs.pickQuickItem('version_1');
  await input.fill('120');
  await input.press('Enter');
  await expect.poll(() => tagStep.textContent(), { timeout: 20_000 }).toMatch(/step 100\b/);
  // Eval Audio, behind Media, picks the step up when shown.
  await vs.page.locator('.tabs-container .tab', { hasText: /^Audio/ }).first().click();
  const shown = await vs.webviewFrame('[data-testid="step"]');
  await expect.poll(() => shown.locator('[data-testid=step]').inputValue(), { timeout: 20_000 }).toBe('100');
  expect(vs.extensionErrors()).toEqual([]);
});
