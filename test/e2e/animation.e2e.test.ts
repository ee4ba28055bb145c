// Create Animation as a user does it: right-click a folder in the Explorer.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { VsCode } from './vscode';

const FIXTURE = join(inject('repoRoot'), 'test', 'fixtures', 'workspace');
let vs: VsCode;

beforeAll(async () => {
  vs = await VsCode.launch(FIXTURE, { 'workbench.colorTheme': 'Default Dark Modern', 'explorer.compactFolders': false, 'runreel.autoAnimate': true, 'runreel.idleAfterSeconds': 5 });
});
afterAll(async () => {
  await vs?.close();
});

test('right-click a folder in the Explorer → Create Animation writes the GIF and WebM and plays them', async () => {
  const snapshots = await vs.explorerRow(['lightning_logs', 'version_0', 'viz_snapshots']);
  await vs.contextMenuPick(snapshots, 'Create Animation');
  const toast = vs.page.locator('.notification-toast', { hasText: 'animation created from 3 frames' });
  await toast.waitFor({ timeout: 60_000 });
  const dir = join(vs.workspace, 'lightning_logs', 'version_0', 'viz_snapshots');
  expect(readFileSync(join(dir, 'pacmap_evolution.gif')).subarray(0, 6).toString()).toBe('GIF89a');
  expect(existsSync(join(dir, 'pacmap_evolution.webm'))).toBe(true);
  await toast.getByRole('button', { name: 'Open' }).click();
  const frame = await vs.webviewFrame('[data-testid="player"]');
  expect(await frame.locator('[data-testid="title"]').textContent()).toBe('version_0');
  await expect.poll(() => frame.locator('img[data-testid="player"]').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBe(360);
  await vs.screenshot('animation-gif');
  await frame.locator('[data-testid="tab-webm"]').click();
  await expect.poll(() => frame.locator('video[data-testid="player"]').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 10_000 }).toBe(360);
  await vs.screenshot('animation-webm');
  expect(vs.extensionErrors()).toEqual([]);
});

test('Create Animation from the Runs view on a run, with the log saying which ffmpeg', async () => {
  await vs.runsViewAction(/^lightning_logs\/version_0/, 'Create Animation');
  await vs.page.locator('.notification-toast', { hasText: 'animation created from 3 frames' }).last().waitFor({ timeout: 60_000 });
  await vs.runCommand('Run Reel: Show Log');
  await expect.poll(() => vs.outputText(), { timeout: 10_000 }).toMatch(/using ffmpeg from (PATH|ffmpeg-static|setting): \S+/);
});

test('autoAnimate: when a run that was receiving frames goes idle, its animation is made', async () => {
  const dir = join(vs.workspace, 'outputs', 'renders');
  const { mkdirSync, copyFileSync, statSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const src = join(vs.workspace, 'lightning_logs', 'version_0', 'viz_snapshots');
  // A training writing frames: a new series appears, then stops.
  for (const [i, step] of [[0, 50], [1, 100], [2, 150]] as const) {
    copyFileSync(join(src, `viz_step_${step}_pacmap.png`), join(dir, `frame_${i}.png`));
    await vs.page.waitForTimeout(300);
  }
  const toast = vs.page.locator('.notification-toast', { hasText: 'renders went idle: animation created from 3 frames' });
  await toast.waitFor({ timeout: 40_000 });
  expect(statSync(join(dir, 'renders_animation.gif')).size).toBeGreaterThan(100);
  expect(statSync(join(dir, 'renders_animation.webm')).size).toBeGreaterThan(100);
});
