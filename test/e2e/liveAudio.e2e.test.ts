// Live Audio in VS Code: the real producer fills a 48 kHz × 8-channel ring buffer in the
// workspace while the panel shows it; opened from the Runs view and the palette (twice, on
// one buffer), hidden and shown, frozen and exported.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { readWavInfo } from '../../src/domain/artifacts/wav';
import { startRingWriter, stopRingWriter } from '../liveRingWriter';
import { VsCode } from './vscode';

const FIXTURE = join(inject('repoRoot'), 'test', 'fixtures', 'workspace');
let vs: VsCode;
let writer: ChildProcess | undefined;

beforeAll(async () => {
  vs = await VsCode.launch(FIXTURE, { 'workbench.colorTheme': 'Default Dark Modern' });
  mkdirSync(join(vs.workspace, 'live'), { recursive: true });
  writer = await startRingWriter(join(vs.workspace, 'live', 'audiotab_ringbuf'), { rate: 48000, channels: 8, secondsHeld: 10, spw: 1024 });
});
afterAll(async () => {
  if (writer) await stopRingWriter(writer);
  await vs?.close();
});

const status = (frame: Awaited<ReturnType<VsCode['webviewFrame']>>) => frame.locator('[data-testid="status"]').textContent();

test('clicking the ring buffer in the Runs view shows it live: 8 lanes, a scrolling spectrogram, frames flowing', async () => {
  await vs.openRunReelView();
  await vs.refreshRuns();
  const run = vs.treeItem(/^audiotab_ringbuf/);
  await run.waitFor({ timeout: 30_000 });
  await run.click();
  const frame = await vs.webviewFrame('[data-testid="wave"]');
  await expect.poll(() => status(frame), { timeout: 20_000 }).toBe('Live');
  expect(await frame.locator('[data-testid="info"]').textContent()).toMatch(/^48,000 Hz · 8 ch · 10\.0 s ring · written /);
  // Written through a memory map, which file watching does not see: the row says live all the same.
  await expect.poll(() => run.textContent(), { timeout: 15_000 }).toContain('live audio buffer · live');
  await expect.poll(async () => Number(await frame.locator('[data-testid="stats"]').getAttribute('data-frames')), { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
  await expect.poll(() => frame.locator('[data-testid="spectrogram"]').evaluate((e: HTMLElement & { snapshot(): HTMLCanvasElement }) => {
    const c = e.snapshot();
    const d = c.getContext('2d')!.getImageData(c.width - 10, 0, 10, c.height).data;
    let opaque = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] === 255) opaque++;
    return opaque;
  }), { timeout: 20_000 }).toBeGreaterThan(1000);
  const ticks = await frame.locator('[data-testid="wave"] .u-axis').first().count();
  expect(ticks).toBe(1);
  await vs.page.waitForTimeout(5500); // a full span of history
  await vs.screenshot('live-audio-dark');
  expect(vs.extensionErrors()).toEqual([]);
});

test('a second panel on the same buffer from the palette; both stay live', async () => {
  await vs.runCommand('Run Reel: Open Live Audio Buffer');
  // The workspace's buffer and the producer's default place in the temp folder are offered.
  await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: join(tmpdir(), 'audiotab_ringbuf') }).waitFor();
  await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: join(vs.workspace, 'live', 'audiotab_ringbuf') }).click();
  // The new panel opens over the first; side by side, both are visible and streaming.
  await expect.poll(async () => (await vs.webviewFrames('[data-testid="wave"]')).length, { timeout: 20_000 }).toBe(1);
  await vs.runCommand('View: Move Editor into Right Group');
  await expect.poll(async () => (await vs.webviewFrames('[data-testid="wave"]')).length, { timeout: 20_000 }).toBe(2);
  const frames = await vs.webviewFrames('[data-testid="wave"]');
  for (const f of frames) await expect.poll(() => status(f), { timeout: 20_000 }).toBe('Live');
  const written = async () => Promise.all((await vs.webviewFrames('[data-testid="wave"]')).map(async (f) => /written (\d+\.\d+) s/.exec((await f.locator('[data-testid="info"]').textContent()) ?? '')?.[1]));
  const before = await written();
  await vs.page.waitForTimeout(1500);
  const after = await written();
  expect(after.length).toBeGreaterThanOrEqual(2);
  after.forEach((w, i) => expect(Number(w)).toBeGreaterThan(Number(before[i] ?? 0)));
  await vs.runCommand('View: Close All Editors');
});

test('hidden, it reads nothing; shown again, it picks up live', async () => {
  await vs.runsViewAction(/^audiotab_ringbuf/, 'Open Live Audio Buffer');
  const frame = await vs.webviewFrame('[data-testid="wave"]');
  await expect.poll(() => status(frame), { timeout: 20_000 }).toBe('Live');
  // Another editor in the same group hides the panel.
  await vs.runCommand('File: New Untitled Text File');
  await expect.poll(() => vs.runReelLog(), { timeout: 10_000 }).toMatch(/live audio: audiotab_ringbuf hidden after \d+ frames; reading paused/);
  await vs.page.waitForTimeout(1500);
  await vs.runCommand('View: Open Previous Editor');
  await expect.poll(() => vs.runReelLog(), { timeout: 10_000 }).toMatch(/live audio: audiotab_ringbuf visible again; 0 frames read while hidden/);
  const again = await vs.webviewFrame('[data-testid="wave"]');
  await expect.poll(() => status(again), { timeout: 20_000 }).toBe('Live');
});

test('freeze, then Export WAV writes the visible span of the shown channels', async () => {
  const frame = await vs.webviewFrame('[data-testid="wave"]');
  await frame.locator('[data-testid="channels"]').fill('0-3');
  await frame.locator('[data-testid="channels"]').press('Enter');
  await vs.page.waitForTimeout(1000);
  await frame.locator('[data-testid="freeze"]').click();
  await expect.poll(() => frame.locator('[data-testid="message"]').textContent(), { timeout: 10_000 }).toBe('Frozen: 4 channels kept for export.');
  await frame.locator('[data-testid="export-wav"]').click();
  // code-server's own save dialog: a path box; Enter accepts the suggested name.
  const box = vs.page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ timeout: 15_000 });
  await expect.poll(() => box.inputValue(), { timeout: 10_000 }).toMatch(/audiotab_ringbuf_\d+-\d+\.wav$/);
  await box.press('Enter');
  await expect.poll(() => readdirSync(vs.workspace).filter((n) => n.endsWith('.wav')), { timeout: 15_000 }).toHaveLength(1);
  const name = readdirSync(vs.workspace).find((n) => n.endsWith('.wav'))!;
  const info = await readWavInfo(join(vs.workspace, name));
  const [start, end] = /_(\d+)-(\d+)\.wav$/.exec(name)!.slice(1).map(Number);
  expect([info.channels, info.sampleRate, info.encoding, info.frames]).toEqual([4, 48000, 'float', end - start]);
  expect(info.frames).toBeGreaterThan(48000 * 4);
  // nothing half-written left beside it
  expect(readdirSync(vs.workspace).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  await frame.locator('[data-testid="freeze"]').click();
  await expect.poll(() => status(frame), { timeout: 10_000 }).toBe('Live');
});

test('light theme; then the writer stops and the panel says so', async () => {
  const frame = await vs.webviewFrame('[data-testid="wave"]');
  await vs.setColorTheme('Light Modern');
  await vs.page.waitForTimeout(1500);
  await vs.screenshot('live-audio-light');
  // High contrast: the frequency axis takes the theme's text colour, and the lanes keep streaming.
  const axisColour = () => frame.locator('[data-testid="spectrogram-axis"]').evaluate((e) => getComputedStyle(e).color);
  await vs.switchTheme('Dark High Contrast', axisColour);
  await expect.poll(() => status(frame), { timeout: 10_000 }).toBe('Live');
  await vs.page.waitForTimeout(1500);
  await vs.screenshot('live-audio-high-contrast');
  await stopRingWriter(writer!);
  writer = undefined;
  await expect.poll(() => status(frame), { timeout: 10_000 }).toBe('Writer stopped');
  expect(existsSync(join(vs.workspace, 'live', 'audiotab_ringbuf'))).toBe(true);
  expect(vs.extensionErrors()).toEqual([]);
});

test('a buffer as audiotab\'s own writer leaves it (one channel, samples-per-write 0) plays live from the Runs view', async () => {
  const path = join(vs.workspace, 'app', 'mic.ringbuf');
  mkdirSync(join(vs.workspace, 'app'), { recursive: true });
  const appWriter = await startRingWriter(path, { rate: 48000, channels: 1, secondsHeld: 4, spw: 1024, audiotab: true });
  try {
    await vs.runCommand('View: Close All Editors');
    await vs.openRunReelView();
    await vs.refreshRuns();
    const run = vs.treeItem(/^mic\.ringbuf/);
    await run.waitFor({ timeout: 30_000 });
    await run.click();
    const frame = await vs.webviewFrame('[data-testid="wave"]');
    await expect.poll(() => status(frame), { timeout: 20_000 }).toBe('Live');
    expect(await frame.locator('[data-testid="info"]').textContent()).toMatch(/^48,000 Hz · 1 ch · 4\.0 s ring · written /);
    expect(await frame.locator('[data-testid="channels"]').inputValue()).toBe('0');
    expect(await frame.locator('[data-testid="channels-error"]').textContent()).toBe('');
    await expect.poll(async () => Number(await frame.locator('[data-testid="stats"]').getAttribute('data-frames')), { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
    expect(vs.extensionErrors()).toEqual([]);
  } finally {
    await stopRingWriter(appWriter);
  }
});
