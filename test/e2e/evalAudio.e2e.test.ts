// Eval Audio in VS Code: opened from a run's eval group in the Runs view, and with
// "Open With…" on a single WAV.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { VsCode } from './vscode';

const FIXTURE = join(inject('repoRoot'), 'test', 'fixtures', 'workspace');
let vs: VsCode;

beforeAll(async () => {
  vs = await VsCode.launch(FIXTURE, { 'workbench.colorTheme': 'Default Dark Modern', 'explorer.compactFolders': false });
});
afterAll(async () => {
  await vs?.close();
});

test('Open Eval Audio from the Runs view: target and prediction render, steps switch in place', async () => {
  await vs.openRunReelView();
  const run = vs.treeItem(/^lightning_logs\/version_0/);
  await run.waitFor({ timeout: 30_000 });
  await run.locator('.monaco-tl-twistie').click();
  await vs.runsViewAction(/^Eval audio/, 'Open Eval Audio');
  const frame = await vs.webviewFrame('[data-testid="tracks"]');
  await expect.poll(() => frame.locator('[data-testid="track-target"] .track-label').textContent(), { timeout: 20_000 }).toMatch(/^Target · target_wav_0\.wav · 8000 Hz · 2 ch/);
  await expect.poll(() => frame.locator('[data-testid="spectrogram-pred"]').getAttribute('data-columns'), { timeout: 20_000 }).toMatch(/^\d+$/);
  expect(await frame.locator('[data-testid="step"]').inputValue()).toBe('100');
  expect(await frame.locator('[data-testid="text"]').textContent()).toContain('step 100');
  await frame.locator('[data-testid="step"]').selectOption('0');
  await expect.poll(() => frame.locator('[data-testid="text"]').textContent(), { timeout: 10_000 }).toContain('step 0');
  await expect.poll(() => frame.locator('[data-testid="wave-pred"] .uplot').getAttribute('data-exact'), { timeout: 10_000 }).toBe('true');
  // The file plays from the webview's own resource URI.
  await frame.locator('[data-testid="play"]').click();
  await expect.poll(() => frame.locator('audio').first().evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 10_000 }).toBeGreaterThan(0);
  await vs.screenshot('eval-audio-dark');
  // The panel follows a theme switch: its text, and the waveforms rebuilt in the new colours.
  const labelColour = () => frame.locator('[data-testid="track-target"] .track-label').evaluate((e) => getComputedStyle(e).color);
  await vs.switchTheme('Light Modern', labelColour);
  await expect.poll(() => frame.locator('[data-testid="spectrogram-pred"]').getAttribute('data-columns'), { timeout: 20_000 }).toMatch(/^\d+$/);
  await vs.screenshot('eval-audio-light');
  // The spectrogram under the waveform's plot area, its frequency axis beside it (log, 8 kHz: 20 Hz to 2 kHz).
  const plotArea = (await frame.locator('[data-testid="wave-target"] .u-over').boundingBox())!;
  const picture = (await frame.locator('[data-testid="spectrogram-target"]').boundingBox())!;
  expect(Math.abs(picture.x - plotArea.x)).toBeLessThanOrEqual(1);
  expect(Math.abs(picture.width - plotArea.width)).toBeLessThanOrEqual(1);
  expect(await frame.locator('[data-testid="freq-axis-target"] .freq-label').allTextContents()).toEqual(['20 Hz', '50 Hz', '100 Hz', '200 Hz', '500 Hz', '1 kHz', '2 kHz']);
  // High contrast: the axis text takes the theme's colours.
  const axisColour = () => frame.locator('[data-testid="freq-axis-target"]').evaluate((e) => getComputedStyle(e).color);
  await vs.switchTheme('Dark High Contrast', axisColour);
  await expect.poll(() => frame.locator('[data-testid="spectrogram-pred"]').getAttribute('data-columns'), { timeout: 20_000 }).toMatch(/^\d+$/);
  await vs.screenshot('eval-audio-high-contrast');
  await vs.setColorTheme('Dark Modern');
  expect(vs.extensionErrors()).toEqual([]);
});

test('Open With… Run Reel Audio on a WAV shows that file alone', async () => {
  await vs.runCommand('View: Close All Editors');
  const wav = await vs.explorerRow(['lightning_logs', 'version_0', 'eval_results', 'step_100', 'pred_wav_0.wav']);
  await vs.openWith(wav, 'Run Reel Audio');
  const frame = await vs.webviewFrame('[data-testid="tracks"]');
  await expect.poll(() => frame.locator('[data-testid="track-file"] .track-label').textContent(), { timeout: 20_000 }).toMatch(/^Audio · pred_wav_0\.wav/);
  expect(await frame.locator('[data-testid="title"]').textContent()).toBe('pred_wav_0.wav');
  await expect.poll(() => frame.locator('[data-testid="spectrogram-file"]').getAttribute('data-columns'), { timeout: 20_000 }).toMatch(/^\d+$/);
  expect(vs.extensionErrors()).toEqual([]);
});
