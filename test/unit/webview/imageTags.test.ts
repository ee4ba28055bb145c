/// <reference lib="dom" />
// Image summaries of TensorBoard event files in the Media webview, its host the real
// MediaSession on a copy of the real Lightning run that wrote them (version_1's
// val/reconstruction, 64×64 PNGs at steps 100, 1000, 2000): one card per tag, the image
// decoded from the bytes the event file holds, a step slider, and the step clock.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MediaSession } from '../../../src/domain/media/mediaSession';
import { mediaHost, realProducer } from '../helpers';
import { WebviewPage } from './page';

let dir: string;
let view: WebviewPage;
let session: MediaSession;
const animated: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runreel-image-tags-'));
  cpSync(realProducer('lightning', 'lightning_logs', 'version_1'), dir, { recursive: true });
  view = await WebviewPage.open('media', { webgl: false, viewport: { width: 1000, height: 800 }, boot: { dir } });
  session = new MediaSession(dir, mediaHost({ post: (m) => void view.post(m), animateTag: (tag) => void animated.push(tag) }));
  await view.serve(session);
}, 60_000);
afterAll(async () => {
  await view?.close();
  rmSync(dir, { recursive: true, force: true });
});

const card = () => view.page.locator('[data-testid=image-tag][data-tag="val/reconstruction"]');
const shown = () => card().locator('img').evaluate((i: HTMLImageElement) => ({ step: i.dataset.shown, w: i.naturalWidth, h: i.naturalHeight, complete: i.complete }));

test('a card per image tag at its latest step, decoded from the event file\'s bytes', async () => {
  await expect.poll(() => view.page.locator('[data-testid=image-tag]').count(), { timeout: 20_000 }).toBe(1);
  await expect.poll(() => card().locator('[data-testid=tag-step]').textContent()).toBe('step 2000 · 3 of 3 · 64 × 64');
  await expect.poll(shown).toEqual({ step: '2000', w: 64, h: 64, complete: true });
  // The image has content: not one flat colour.
  const distinct = await card().locator('img').evaluate((i: HTMLImageElement) => {
    const c = document.createElement('canvas');
    c.width = 64; c.height = 64;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(i, 0, 0);
    const d = ctx.getImageData(0, 0, 64, 64).data;
    return new Set(Array.from({ length: 64 * 64 }, (_, k) => d[k * 4])).size;
  });
  expect(distinct).toBeGreaterThan(10);
  expect(view.errors()).toEqual([]);
});

test('the slider steps through the tag; the step clock moves it to the nearest step', async () => {
  await card().locator('input[type=range]').fill('0');
  await expect.poll(() => card().locator('[data-testid=tag-step]').textContent()).toBe('step 100 · 1 of 3 · 64 × 64');
  await expect.poll(async () => (await shown()).step).toBe('100');
  session.goToStep(1200);
  await expect.poll(() => card().locator('[data-testid=tag-step]').textContent()).toBe('step 1000 · 2 of 3 · 64 × 64');
  await expect.poll(async () => (await shown()).step).toBe('1000');
});

test('Create Animation on a tag asks the host to animate that tag', async () => {
  await card().locator('[data-testid=animate-tag]').click();
  await expect.poll(() => animated).toEqual(['val/reconstruction']);
});
