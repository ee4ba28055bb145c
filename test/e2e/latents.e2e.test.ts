// Latents, checkpoints and media in VS Code: a latent store opened from the Runs view lists its
// records by generation; a latent opens in the Safetensors Inspector with its shape and
// statistics; a .safetensors file opens with "Open With…"; a gallery shows its images and
// clips; after a window reload both folder panels come back as they were. Screenshots in dark
// and light themes.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { VsCode } from './vscode';

const ROOT = inject('repoRoot');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'workspace');
const TENSORS = join(ROOT, 'test', 'fixtures', 'tensors');
const LAYOUTS = join(ROOT, 'test', 'fixtures', 'layouts');
const ids: Record<string, string> = JSON.parse(readFileSync(join(TENSORS, 'store.expected.json'), 'utf8')).ids;
let vs: VsCode;

beforeAll(async () => {
  const fixture = mkdtempSync(join(tmpdir(), 'runreel-e2e-latents-'));
  cpSync(FIXTURE, fixture, { recursive: true });
  cpSync(join(TENSORS, 'store'), join(fixture, 'generations', 'store'), { recursive: true });
  cpSync(join(TENSORS, 'stats.safetensors'), join(fixture, 'models', 'stats.safetensors'));
  cpSync(join(LAYOUTS, 'backend', 'mv', 'outputs', 'character_reference'), join(fixture, 'media', 'character_reference'), { recursive: true });
  cpSync(join(LAYOUTS, 'videos'), join(fixture, 'media', 'character_reference'), { recursive: true });
  vs = await VsCode.launch(fixture, { 'workbench.colorTheme': 'Default Dark Modern' });
  rmSync(fixture, { recursive: true, force: true });
});
afterAll(async () => {
  await vs?.close();
});

type Frame = Awaited<ReturnType<VsCode['webviewFrame']>>;
const byTestId = (frame: Frame, id: string) => frame.locator(`[data-testid="${id}"]`);

test('latent store from the Runs view: records by generation; a latent opens in the inspector with shape and stats', async () => {
  await vs.openRunReelView();
  const run = vs.treeItem(/^store/);
  await run.waitFor({ timeout: 30_000 });
  await run.click();
  const store = await vs.webviewFrame('[data-testid="records"]');
  await expect.poll(() => byTestId(store, 'record-count').textContent(), { timeout: 30_000 }).toBe('10 latents');
  expect(await store.locator('tr.generation', { hasText: '2 checkpoints + 1 final' }).count()).toBe(1);
  await store.locator(`tr[data-id="${ids.final}"]`).click();
  await expect.poll(() => byTestId(store, 'latent-id').textContent()).toBe(ids.final);
  expect(JSON.parse((await byTestId(store, 'params').textContent())!)).toMatchObject({ caption: 'lofi piano, rain' });
  await vs.screenshot('latent-store-dark');

  await byTestId(store, 'inspect').click();
  const inspector = await vs.webviewFrame('[data-testid="tensors"]');
  await expect.poll(() => byTestId(inspector, 'file-name').textContent(), { timeout: 30_000 }).toBe(`${ids.final}.safetensors`);
  // One tensor: selected at once, its shape and statistics shown.
  await expect.poll(() => byTestId(inspector, 'detail').locator('.path').textContent(), { timeout: 20_000 }).toBe('F32 · shape [1, 32, 8] · 256 elements · 1.0 KiB');
  await expect.poll(() => byTestId(inspector, 'stats').locator('[data-stat=std] .stat-value').textContent(), { timeout: 20_000 }).toMatch(/^0\.\d+$/);
  await expect.poll(() => byTestId(inspector, 'heatmap').evaluate((c: HTMLCanvasElement) => [c.width, c.height]), { timeout: 20_000 }).toEqual([32, 8]);
  await vs.screenshot('safetensors-inspector-dark');
  expect(vs.extensionErrors()).toEqual([]);
});

test('light theme', async () => {
  const frame = await vs.webviewFrame('[data-testid="tensors"]');
  const colour = () => byTestId(frame, 'file-name').evaluate((e) => getComputedStyle(e).color);
  await vs.switchTheme('Light Modern', colour);
  await vs.page.waitForTimeout(500);
  await vs.screenshot('safetensors-inspector-light');
  await vs.setColorTheme('Dark Modern');
});

test('"Open With… Run Reel Tensor Inspector" on a file: metadata and tensors', async () => {
  const row = await vs.explorerRow(['models', 'stats.safetensors']);
  await vs.openWith(row, 'Run Reel Tensor Inspector');
  const frame = await vs.webviewFrame('[data-testid="metadata"]');
  await expect.poll(() => byTestId(frame, 'tensors').locator('tbody tr').count(), { timeout: 30_000 }).toBe(5);
  expect(await byTestId(frame, 'metadata').textContent()).toContain('<img src=x onerror=alert(1)>');
});

test('a gallery from the Runs view: thumbnails load, an image enlarges, clips are probed', async () => {
  await vs.openRunReelView();
  const run = vs.treeItem(/^character_reference/);
  await run.waitFor({ timeout: 30_000 });
  await run.click();
  const frame = await vs.webviewFrame('[data-testid="gallery"]');
  await expect.poll(() => byTestId(frame, 'image-count').textContent(), { timeout: 30_000 }).toBe('4 images');
  await expect.poll(() => byTestId(frame, 'gallery').locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)), { timeout: 20_000 }).toEqual([32, 32, 32, 32]);
  await expect.poll(() => byTestId(frame, 'clip-table').locator('tbody tr').first().textContent(), { timeout: 30_000 }).toMatch(/^scene_1\.mp41\.0 s64 × 48/);
  await vs.screenshot('media-dark');
  await byTestId(frame, 'gallery').locator('figure').first().click();
  await expect.poll(() => byTestId(frame, 'lightbox-info').textContent(), { timeout: 10_000 }).toMatch(/^32 × 24 · /);
  expect(vs.extensionErrors()).toEqual([]);
});

test('after a window reload the gallery comes back with the same image enlarged, and the store panel with it', async () => {
  const before = await byTestId(await vs.webviewFrame('[data-testid="lightbox-info"]'), 'lightbox-name').textContent();
  await vs.reloadWindow();
  const frame = await vs.webviewFrame('[data-testid="gallery"]', 60_000);
  await expect.poll(() => byTestId(frame, 'lightbox-name').textContent(), { timeout: 30_000 }).toBe(before);
  expect(await byTestId(frame, 'lightbox').isVisible()).toBe(true);
  // The store's tab came back too; shown, it lists its records again.
  await vs.page.locator('.tab', { hasText: 'Latents · store' }).click();
  const store = await vs.webviewFrame('[data-testid="records"]', 30_000);
  await expect.poll(() => byTestId(store, 'record-count').textContent(), { timeout: 30_000 }).toBe('10 latents');
  expect(vs.extensionErrors()).toEqual([]);
});

test('the real store as sonaturgy writes it (12-hex ids, checkpoints stored after finals) lists every record, grouped', async () => {
  const real = join(vs.workspace, 'sonaturgy', 'web_tmp', 'latents');
  cpSync(join(ROOT, '..', 'shared', 'real-producers', 'acestep', 'latents', '9f719a3', 'web_tmp', 'latents'), real, { recursive: true });
  await vs.refreshRuns();
  await vs.runCommand('Run Reel: Open Latent Store');
  await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: real }).click();
  // The store panel of the test before may still be open and about to be hidden (its frame then
  // detaches), so wait for the frame that shows this store's count.
  const store = await vs.webviewFrame('[data-testid="record-count"]:text-is("11 latents")', 30_000);
  const generations = await store.locator('tr.generation').allTextContents();
  expect(generations).toHaveLength(4);
  expect(generations.filter((g) => g.includes('2 checkpoints + 2 finals'))).toHaveLength(2);
  expect(generations).toContainEqual(expect.stringContaining('generate · acestep-v15-base · 2 finals — lofi piano, rain'));
  await store.locator('tr[data-id="08222284f76f"]').click();
  await expect.poll(() => byTestId(store, 'latent-id').textContent()).toBe('08222284f76f');
  expect(JSON.parse((await byTestId(store, 'params').textContent())!)).toMatchObject({ caption: 'dark synthwave, female vocals', bpm: 118 });
  expect(vs.extensionErrors()).toEqual([]);
});
