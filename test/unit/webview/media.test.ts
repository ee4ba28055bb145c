/// <reference lib="dom" />
// The Media webview in headless Chromium, its host the real MediaSession over the producer's
// gallery and clips (probed by the real ffprobe): thumbnails with sizes, the lightbox and its
// keys, Copy ID, the clip table, multi-select to Stitch, and a WebM clip playing.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../../src/domain/animation/ffmpeg';
import { MediaSession } from '../../../src/domain/media/mediaSession';
import { mediaHost } from '../helpers';
import { WebviewPage } from './page';

const LAYOUTS = join(__dirname, '..', '..', 'fixtures', 'layouts');
let dir: string;
let view: WebviewPage;
let session: MediaSession;
const copied: string[] = [];
const stitched: string[][] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runreel-media-')); // lives for the whole file, unlike tempDir()
  cpSync(join(LAYOUTS, 'backend', 'mv', 'outputs', 'character_reference'), dir, { recursive: true });
  cpSync(join(LAYOUTS, 'videos'), dir, { recursive: true });
  view = await WebviewPage.open('media', { files: dir, webgl: false, viewport: { width: 1200, height: 900 }, boot: { dir } });
  const ffprobe = resolveFfprobe(resolveFfmpeg()).path;
  session = new MediaSession(dir, mediaHost({
    post: (m) => void view.post(m), uri: (p) => `${view.origin}/files/${relative(dir, p)}`, copy: (t) => void copied.push(t),
    stitch: (paths) => void stitched.push(paths), ffprobe: () => ffprobe,
  }));
  await view.serve(session);
}, 60_000);
afterAll(async () => {
  await view?.close();
  rmSync(dir, { recursive: true, force: true });
});

const byTestId = (id: string) => view.page.locator(`[data-testid=${id}]`);

test('gallery: a thumbnail per image, decoded, with id, dimensions and size', async () => {
  await expect.poll(() => byTestId('image-count').textContent(), { timeout: 20_000 }).toBe('4 images');
  const cards = byTestId('gallery').locator('figure');
  expect(await cards.count()).toBe(4);
  await expect.poll(() => cards.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth))).toEqual([32, 32, 32, 32]);
  const captions = await cards.locator('figcaption').allTextContents();
  expect(captions).toContainEqual(expect.stringMatching(/^00000003WEBP|^0000000332 × 24 · \d+ B$/));
  expect(captions.every((c) => / 32 × 24 · /.test(` ${c.slice(8)}`))).toBe(true);
});

test('click enlarges; arrows move, Copy ID copies the UUID, Esc closes', async () => {
  await byTestId('gallery').locator('figure[data-path$="00000000-4b43-4c59-9d0a-8f1f5b0b7a10.png"]').click();
  await expect.poll(() => byTestId('lightbox').isVisible()).toBe(true);
  const first = await byTestId('lightbox-name').textContent();
  expect(await byTestId('lightbox-info').textContent()).toMatch(/^32 × 24 · PNG · \d+ B · \d of 4$/);
  await byTestId('copy-id').click();
  await expect.poll(() => copied).toEqual(['00000000-4b43-4c59-9d0a-8f1f5b0b7a10']);
  await view.page.keyboard.press('ArrowRight');
  await expect.poll(() => byTestId('lightbox-name').textContent()).not.toBe(first);
  await view.page.keyboard.press('Escape');
  await expect.poll(() => byTestId('lightbox').isVisible()).toBe(false);
});

test('clips: duration, resolution and audio from ffprobe; select two to stitch', async () => {
  const table = byTestId('clip-table');
  await expect.poll(() => table.locator('tbody tr').first().textContent(), { timeout: 20_000 }).toMatch(/^scene_1\.mp41\.0 s64 × 4810no/);
  expect(await byTestId('stitch').isDisabled()).toBe(true);
  for (const box of await table.locator('tbody input[type=checkbox]').all()) await box.check();
  await expect.poll(() => byTestId('stitch').textContent()).toBe('Stitch 2 Videos');
  await byTestId('stitch').click();
  await expect.poll(() => stitched).toEqual([[join(dir, 'scene_1.mp4'), join(dir, 'scene_2.webm')]]);
});

test('a WebM clip plays in the panel', async () => {
  await byTestId('clip-table').locator('button[aria-label="Play scene_2.webm"]').click();
  await expect.poll(() => byTestId('player').evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  expect(await byTestId('player').evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight, Math.round(v.duration)])).toEqual([64, 48, 1]);
  expect(view.errors()).toEqual([]);
});

test('after a reload the saved clip is back in the player once, not playing; a Play click plays it', async () => {
  const clip = join(dir, 'scene_2.webm');
  const again = await WebviewPage.open('media', { files: dir, webgl: false, viewport: { width: 1200, height: 900 }, boot: { dir, focus: clip } });
  const focusMessages: unknown[] = [];
  const restored = new MediaSession(dir, mediaHost({ post: (m) => void again.post(m), uri: (p) => `${again.origin}/files/${relative(dir, p)}` }), clip);
  again.onMessage((m) => { if (m.type === 'focus') focusMessages.push(m.path); return restored.handle(m as never); });
  try {
    await again.load();
    const player = again.page.locator('[data-testid=player]');
    await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(await again.page.locator('[data-testid=playing]').textContent()).toBe('scene_2.webm');
    // Loaded once (the page used to restore it itself and again on the host's word).
    expect(focusMessages).toEqual([clip]);
    expect(await player.evaluate((v: HTMLVideoElement) => v.paused)).toBe(true);
    await again.page.locator('button[aria-label="Play scene_2.webm"]').click();
    await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.currentTime > 0 && (v.ended || !v.paused)), { timeout: 10_000 }).toBe(true);
    expect(focusMessages).toEqual([clip]);
    expect(again.errors()).toEqual([]);
  } finally {
    await again.close();
  }
});
